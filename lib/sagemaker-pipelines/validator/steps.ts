import { isRecord, show, type Json } from '../private/json';
import { isStepTypeName, STEP_TYPE_NAMES, STEP_TYPE_TRAITS } from '../step-types';
import { isUnresolved } from '../tokens';
import { describeLocation, NAME_PATTERN, type StepInfo, type ValidationContext } from './context';
import { checkConditionStep } from './conditions';
import { walkValue } from './expressions';
import { checkCacheConfig, checkRetryPolicies } from './policies';
import { checkStepReference, processingOutputs } from './references';

export function collectSteps(ctx: ValidationContext, list: readonly Json[], listPath: string, branches: readonly string[], parent?: string): void {
  list.forEach((step, index) => {
    if (!isRecord(step)) {
      ctx.report('invalid-definition', `${listPath}[${index}]`, `A step must be an object, got ${show(step)}.`);
      return;
    }
    const name = step.Name;
    if (typeof name !== 'string') {
      ctx.report('invalid-step-name', `${listPath}[${index}].Name`, `Step name must be a string, got ${show(name)}.`);
      return;
    }
    const path = `Steps[${name}]`;
    if (!isUnresolved(name) && (!NAME_PATTERN.test(name) || name.length > 64)) {
      ctx.report(
        'invalid-step-name',
        `${path}.Name`,
        `Step name "${name}" is invalid: use 1-64 letters, digits, '-' or '_'.`,
      );
    }
    const info: StepInfo = { name, type: String(step.Type), def: step, path, branches, parent };
    const existing = ctx.steps.get(name);
    if (existing) {
      const first = describeLocation(existing);
      const second = describeLocation(info);
      const where = first === second ? first : `${first} and ${second}`;
      ctx.report(
        'duplicate-step-name',
        path,
        `Step name '${name}' is used twice (${where}); step names must be unique across all branches.`,
      );
      return;
    }
    ctx.steps.set(name, info);
    if (parent) {
      ctx.addEdge(name, parent);
    }
    if (step.Type === 'Condition' && isRecord(step.Arguments)) {
      for (const branch of ['IfSteps', 'ElseSteps'] as const) {
        const branchSteps = step.Arguments[branch];
        if (branchSteps === undefined) continue;
        if (!Array.isArray(branchSteps)) {
          ctx.report(
            'invalid-arguments',
            `${path}.Arguments.${branch}`,
            `${branch} of Condition step '${name}' must be a list of steps, got ${show(branchSteps)}.`,
          );
          continue;
        }
        collectSteps(ctx, branchSteps, `${path}.Arguments.${branch}`, [...branches, `${name}:${branch}`], name);
      }
    }
  });
}

export function checkStep(ctx: ValidationContext, info: StepInfo): void {
  const { def, path, name, type } = info;
  const known = isStepTypeName(type);
  if (!known) {
    ctx.report(
      'unknown-step-type',
      `${path}.Type`,
      `Step '${name}' has unknown type ${show(def.Type)}; use one of ${STEP_TYPE_NAMES.join(', ')}.`,
    );
  }
  const args = def.Arguments;
  if (!isRecord(args)) {
    ctx.report('invalid-arguments', `${path}.Arguments`, `Step '${name}' needs an Arguments object, got ${show(args)}.`);
  } else if (type === 'Condition') {
    checkConditionStep(ctx, info, args);
  } else {
    if (type === 'Fail') {
      const message = args.ErrorMessage;
      if (message !== undefined && typeof message !== 'string' && !isRecord(message)) {
        ctx.report(
          'invalid-arguments',
          `${path}.Arguments.ErrorMessage`,
          `ErrorMessage of Fail step '${name}' must be a string or an expression, got ${show(message)}.`,
        );
      }
    }
    if (known) {
      for (const member of STEP_TYPE_TRAITS[type].requiredArguments) {
        if (args[member] === undefined || args[member] === null) {
          ctx.report(
            'missing-argument',
            `${path}.Arguments.${member}`,
            `${type} step '${name}' has no ${member} in its Arguments; the request SageMaker makes from them requires it.`,
          );
        }
      }
    }
    walkValue(ctx, args, `${path}.Arguments`, info);
  }
  checkPropertyFiles(ctx, info);
  checkDependsOn(ctx, info);
  checkCacheConfig(ctx, info);
  checkRetryPolicies(ctx, info);
}

export function checkPropertyFiles(ctx: ValidationContext, info: StepInfo): void {
  const files = info.def.PropertyFiles;
  if (files === undefined) {
    return;
  }
  const path = `${info.path}.PropertyFiles`;
  if (isStepTypeName(info.type) && !STEP_TYPE_TRAITS[info.type].propertyFiles) {
    ctx.report('invalid-property-file', path, `Step '${info.name}' is a ${info.type} step; only Processing steps declare PropertyFiles.`);
    return;
  }
  if (!Array.isArray(files)) {
    ctx.report('invalid-property-file', path, `PropertyFiles must be a list, got ${show(files)}.`);
    return;
  }
  const outputs = processingOutputs(info);
  const seen = new Set<string>();
  files.forEach((file: Json, index: number) => {
    const filePath = `${path}[${index}]`;
    if (!isRecord(file)) {
      ctx.report('invalid-property-file', filePath, `A property file must be an object, got ${show(file)}.`);
      return;
    }
    for (const key of ['PropertyFileName', 'OutputName', 'FilePath']) {
      if (typeof file[key] !== 'string' || file[key] === '') {
        ctx.report('invalid-property-file', `${filePath}.${key}`, `Property file needs a non-empty ${key}, got ${show(file[key])}.`);
      }
    }
    const name = file.PropertyFileName;
    if (typeof name === 'string') {
      if (seen.has(name)) {
        ctx.report('invalid-property-file', filePath, `Property file '${name}' of step '${info.name}' is declared twice.`);
      }
      seen.add(name);
    }
    const outputName = file.OutputName;
    if (typeof outputName === 'string' && !isUnresolved(outputName) && outputs && !outputs.includes(outputName)) {
      ctx.report(
        'unknown-output',
        `${filePath}.OutputName`,
        `Property file '${String(name)}' of step '${info.name}' reads output '${outputName}', which the step does not have ` +
          `(outputs: ${outputs.join(', ') || 'none'}).`,
      );
    }
  });
}



export function checkDependsOn(ctx: ValidationContext, info: StepInfo): void {
  const dependsOn = info.def.DependsOn;
  if (dependsOn === undefined) return;
  const path = `${info.path}.DependsOn`;
  if (!Array.isArray(dependsOn)) {
    ctx.report('invalid-depends-on', path, `DependsOn must be a list of step names, got ${show(dependsOn)}.`);
    return;
  }
  dependsOn.forEach((target: Json, i: number) => {
    if (typeof target !== 'string') {
      ctx.report('invalid-depends-on', `${path}[${i}]`, `DependsOn entries must be step names, got ${show(target)}.`);
      return;
    }
    if (isUnresolved(target)) return;
    checkStepReference(ctx, info, target, `${path}[${i}]`, `DependsOn "${target}"`);
  });
}
