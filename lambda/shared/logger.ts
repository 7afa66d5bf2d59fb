import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { envSchemas, readEnvironment } from './environment';

/** Variables that tune every handler's logger (both optional). */
export const LOGGER_ENVIRONMENT = {
  /** TRACE, DEBUG, INFO (default), WARN, ERROR, CRITICAL or SILENT. Lambda's own log-level setting takes precedence. */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Overrides the handler's service name in every log line. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/**
 * Creates a handler's Powertools logger; call it once, at module scope. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (validated: a typo fails the cold start instead of silently logging at INFO).
 */
export function createLogger(defaultServiceName: string, environment: NodeJS.ProcessEnv = process.env): Logger {
  const settings = readEnvironment(
    LOGGER_ENVIRONMENT,
    {
      logLevel: z
        .preprocess(
          (value) => (typeof value === 'string' ? value.toUpperCase() : value),
          envSchemas.oneOf('the log level', LOG_LEVELS, 'INFO'),
        )
        .describe(`the log level: one of ${LOG_LEVELS.join(', ')} (default INFO)`),
      serviceName: envSchemas.name('the service name in log lines').default(defaultServiceName),
    },
    environment,
  );
  return new Logger({ serviceName: settings.serviceName, logLevel: settings.logLevel });
}
