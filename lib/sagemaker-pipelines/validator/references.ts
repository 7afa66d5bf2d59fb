import { isRecord } from '../private/json';
import { isUnresolved } from '../tokens';
import { describeLocation, type StepInfo, type ValidationContext } from './context';

/**
 * Checks that `info` may depend on step `target` (it exists, is not itself, and has surely run when `info`
 * runs); records the dependency. Returns the target's info when it exists.
 */
export function checkStepReference(ctx: ValidationContext, info: StepInfo, target: string, path: string, what: string): StepInfo | undefined {
  const targetInfo = ctx.steps.get(target);
  if (!targetInfo) {
    const known = [...ctx.steps.keys()].join(', ');
    ctx.report('unknown-step', path, `${what} refers to step '${target}', which does not exist (steps: ${known}).`);
    return undefined;
  }
  ctx.addEdge(info.name, target);
  if (target === info.name) {
    return targetInfo;
  }
  const prefix = targetInfo.branches;
  const runsWhenever = prefix.every((branch, i) => info.branches[i] === branch);
  if (!runsWhenever) {
    ctx.report(
      'unreachable-reference',
      path,
      `${what} in step '${info.name}' (${describeLocation(info)}) refers to step '${target}', which runs only ` +
        `${describeLocation(targetInfo)}, so it may not have run; move the steps into the same branch.`,
    );
  }
  return targetInfo;
}

/** Literal output names of a Processing step, or undefined when they cannot be known. */
export function processingOutputs(info: StepInfo): string[] | undefined {
  const args = info.def.Arguments;
  if (!isRecord(args)) return undefined;
  const config = args.ProcessingOutputConfig;
  if (config === undefined) return [];
  if (!isRecord(config) || !Array.isArray(config.Outputs)) return undefined;
  const names: string[] = [];
  for (const output of config.Outputs) {
    if (!isRecord(output) || typeof output.OutputName !== 'string' || isUnresolved(output.OutputName)) {
      return undefined;
    }
    names.push(output.OutputName);
  }
  return names;
}

/** Declared property file names of a Processing step. */
export function propertyFileNames(info: StepInfo): string[] {
  const files = info.def.PropertyFiles;
  return Array.isArray(files)
    ? files.filter(isRecord).map((f) => f.PropertyFileName).filter((n): n is string => typeof n === 'string')
    : [];
}
