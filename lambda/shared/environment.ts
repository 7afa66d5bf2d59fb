import { z } from 'zod';

/** The zod schema of each variable of a handler's environment, keyed like its variable-name map. */
export type EnvironmentSchemas<N extends Record<string, string>> = { readonly [K in keyof N]: z.ZodType };

/** The typed values read by {@link readEnvironment}. */
export type EnvironmentValues<N extends Record<string, string>, S extends EnvironmentSchemas<N>> = {
  -readonly [K in keyof N]: z.output<S[K]>;
};

/**
 * Reads and validates a handler's environment once, at module scope. `names` maps each field to its variable name
 * (the same constant the CDK construct uses to set them); `schemas` validates each value (an empty value counts as
 * unset, so optional variables fall back to their default). Throws one error naming every missing or invalid
 * variable with its value and what it should be.
 */
export function readEnvironment<N extends Record<string, string>, S extends EnvironmentSchemas<N>>(
  names: N,
  schemas: S,
  env: NodeJS.ProcessEnv = process.env,
): EnvironmentValues<N, S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const field of Object.keys(names) as (keyof N & string)[]) {
    const variable = names[field];
    const schema = schemas[field];
    const raw = env[variable];
    const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
    const result = schema.safeParse(value);
    if (result.success) {
      values[field] = result.data;
    } else if (value === undefined) {
      problems.push(`${variable} is not set (expected ${schema.description ?? 'a value'})`);
    } else {
      const detail = result.error.issues.map((issue) => issue.message).join(', ');
      problems.push(`${variable}='${value}' is invalid: ${detail} (expected ${schema.description ?? 'a valid value'})`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `Invalid handler environment: ${problems.join('; ')}. ` +
        'The CDK construct that deploys this handler sets these variables; ' +
        'set them yourself when running it elsewhere.',
    );
  }
  return values as EnvironmentValues<N, S>;
}

/** Schemas for the kinds of values the handlers' environments hold. */
export const envSchemas = {
  /** An S3 bucket name (3-63 lowercase letters, digits, '.' or '-'). */
  bucketName: (what: string) =>
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not an S3 bucket name')
      .describe(`${what}: an S3 bucket name`),
  /** A non-empty name (Glue job, SageMaker pipeline, DynamoDB table). */
  name: (what: string) => z.string().min(1).max(255).describe(what),
  /** A positive whole number, with a default. */
  positiveInteger: (what: string, defaultValue: number) =>
    z.coerce
      .number()
      .int('not a whole number')
      .positive('not positive')
      .default(defaultValue)
      .describe(`${what}: a positive whole number (default ${defaultValue})`),
  /** One of `values`, with a default. */
  oneOf: <const T extends readonly [string, ...string[]]>(what: string, values: T, defaultValue: T[number]) =>
    z
      .enum(values)
      .default(defaultValue)
      .describe(`${what}: one of ${values.join(', ')} (default ${defaultValue})`),
} as const;
