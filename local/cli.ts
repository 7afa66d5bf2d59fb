/**
 * `npm run local`: parses the command line, runs the local flow, and turns Ctrl-C / SIGTERM into a clean stop.
 * The arguments are in cli/args.ts, the flow in cli/run.ts.
 */
import * as path from 'path';
import { DEFAULT_WORK_DIR, parseCliArgs, USAGE, UsageError, type CliOptions } from './cli/args';
import { REPO_ROOT } from './cli/data';
import { runLocal, RunStoppedError, type CliIo } from './cli/run';

export { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli/args';
export { loadRunConfig, runLocal, RunStoppedError, type CliIo, type LocalRunResult } from './cli/run';

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes after a stop by signal, as shells report them (128 + signal number). */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Entry point of `npm run local`: parses the arguments, runs the flow, returns the process exit code.
 * When `signal` is aborted the run stops (execution records end `Stopped`) and the exit code is 1; the command
 * line entry turns that into 130 (SIGINT) or 143 (SIGTERM).
 */
export async function main(argv: readonly string[], io: CliIo = consoleIo, signal?: AbortSignal): Promise<number> {
  const usageError = (error: UsageError): number => {
    io.err(`error: ${error.message}`);
    io.err('');
    io.err(USAGE);
    return 2;
  };
  let options: CliOptions;
  try {
    // npm runs scripts in the package folder; INIT_CWD is where the user typed the command.
    options = parseCliArgs(argv, process.env.INIT_CWD ?? process.cwd(), path.join(REPO_ROOT, DEFAULT_WORK_DIR));
  } catch (error) {
    if (error instanceof UsageError) return usageError(error);
    throw error;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const result = await runLocal(options, io, signal);
    return result.exitCode;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error);
    io.err(error instanceof RunStoppedError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  // Ctrl-C / SIGTERM stop the run cleanly: running jobs are ended, the execution records say Stopped, the local
  // endpoint is stopped; then the process exits with 130 / 143. A second signal ends it at once.
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (received: NodeJS.Signals): void => {
    if (stoppedBy) process.exit(SIGNAL_EXIT_CODES[received] ?? 1);
    stoppedBy = received;
    process.stderr.write(`\n${received}: stopping (send it again to exit at once)\n`);
    controller.abort(new Error(`interrupted by ${received}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), consoleIo, controller.signal).then(
    (code) => {
      process.exitCode = stoppedBy ? SIGNAL_EXIT_CODES[stoppedBy] : code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = stoppedBy ? SIGNAL_EXIT_CODES[stoppedBy] : 1;
    },
  );
}
