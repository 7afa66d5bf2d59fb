import { EXECUTION_VARIABLES, PIPELINE_EXPERIMENT_CONFIG_MEMBERS } from '../expressions';
import { isRecord, show, type Json } from '../private/json';
import { parseGetPath } from '../property-path';
import { isUnresolved } from '../tokens';
import type { StepInfo, ValidationContext } from './context';
import { checkStepReference, processingOutputs, propertyFileNames } from './references';

/** Walks a value, checking every expression in it. `info` is the step that holds it (none for the top level). */
export function walkValue(ctx: ValidationContext, value: Json, path: string, info: StepInfo | undefined): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkValue(ctx, item, `${path}[${i}]`, info));
    return;
  }
  if (!isRecord(value)) {
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Get') {
    checkGet(ctx, value.Get, `${path}.Get`, info, false);
    return;
  }
  if (keys.length === 1 && keys[0] === 'Std:Join') {
    const join = value['Std:Join'];
    if (!isRecord(join) || typeof join.On !== 'string' || !Array.isArray(join.Values)) {
      ctx.report(
        'invalid-expression',
        `${path}.Std:Join`,
        `Std:Join needs {"On": <string>, "Values": [...]}, got ${show(join)}.`,
      );
      return;
    }
    join.Values.forEach((item: Json, i: number) => walkValue(ctx, item, `${path}.Std:Join.Values[${i}]`, info));
    return;
  }
  if (keys.length === 1 && keys[0] === 'Std:JsonGet') {
    checkJsonGet(ctx, value['Std:JsonGet'], `${path}.Std:JsonGet`, info);
    return;
  }
  if (keys.length === 1 && keys[0].startsWith('Std:')) {
    ctx.report('invalid-expression', path, `Unknown function '${keys[0]}'; use Std:Join or Std:JsonGet.`);
    return;
  }
  for (const key of keys) {
    walkValue(ctx, value[key], `${path}.${key}`, info);
  }
}

/**
 * `Std:JsonGet` reads a JSON document: a Processing step's property file (`PropertyFile`), or any object by its S3
 * URI (`S3Uri`, a string or an expression; the SDK's `@step` outputs use this form).
 */
export function checkJsonGet(ctx: ValidationContext, jsonGet: Json, path: string, info: StepInfo | undefined): void {
  if (!isRecord(jsonGet) || typeof jsonGet.Path !== 'string' || jsonGet.Path === '') {
    ctx.report(
      'invalid-expression',
      path,
      `Std:JsonGet needs {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": "<json path>"} ` +
        `(or "S3Uri" instead of "PropertyFile"), got ${show(jsonGet)}.`,
    );
    return;
  }
  if (jsonGet.PropertyFile === undefined && jsonGet.S3Uri !== undefined) {
    const uri = jsonGet.S3Uri;
    if (typeof uri !== 'string' && !isRecord(uri)) {
      ctx.report('invalid-expression', `${path}.S3Uri`, `Std:JsonGet S3Uri must be a string or an expression, got ${show(uri)}.`);
      return;
    }
    walkValue(ctx, uri, `${path}.S3Uri`, info);
    return;
  }
  const file = jsonGet.PropertyFile;
  if (!isRecord(file) || typeof file.Get !== 'string') {
    ctx.report(
      'invalid-expression',
      `${path}.PropertyFile`,
      `Std:JsonGet PropertyFile must be {"Get": "Steps.<step>.PropertyFiles.<name>"}, got ${show(file)}.`,
    );
    return;
  }
  checkGet(ctx, file.Get, `${path}.PropertyFile.Get`, info, true);
}

export function checkGet(ctx: ValidationContext, getPath: Json, path: string, info: StepInfo | undefined, inJsonGet: boolean): void {
  if (typeof getPath !== 'string') {
    ctx.report('invalid-expression', path, `Get must be a string path, got ${show(getPath)}.`);
    return;
  }
  if (isUnresolved(getPath)) {
    return;
  }
  const parsed = parseGetPath(getPath);
  if (typeof parsed === 'string') {
    ctx.report('invalid-expression', path, `Invalid Get: ${parsed}`);
    return;
  }
  if (parsed.root === 'Parameters') {
    if (!ctx.parameters.has(parsed.name)) {
      const known = [...ctx.parameters.keys()].join(', ') || 'none';
      ctx.report('unknown-parameter', path, `"${getPath}" reads parameter '${parsed.name}', which is not declared (parameters: ${known}).`);
    }
    return;
  }
  if (parsed.root === 'PipelineExperimentConfig') {
    if (!(PIPELINE_EXPERIMENT_CONFIG_MEMBERS as readonly string[]).includes(parsed.name)) {
      ctx.report(
        'invalid-expression',
        path,
        `"${getPath}" reads '${parsed.name}' of PipelineExperimentConfig; use one of ${PIPELINE_EXPERIMENT_CONFIG_MEMBERS.join(', ')}.`,
      );
    }
    return;
  }
  if (parsed.root === 'Execution') {
    if (!(EXECUTION_VARIABLES as readonly string[]).includes(parsed.name)) {
      ctx.report(
        'unknown-execution-variable',
        path,
        `"${getPath}" reads unknown execution variable '${parsed.name}'; use one of ${EXECUTION_VARIABLES.join(', ')}.`,
      );
    }
    return;
  }
  if (parsed.root !== 'Steps') return;
  const target = parsed.name;
  if (!info) {
    ctx.report('invalid-expression', path, `"${getPath}": step properties can only be read inside steps.`);
    return;
  }
  const targetInfo = checkStepReference(ctx, info, target, path, `"${getPath}"`);
  if (!targetInfo) {
    return;
  }
  const [first, second, third] = parsed.segments;
  const isPropertyFile = first?.kind === 'member' && first.name === 'PropertyFiles';
  if (inJsonGet !== isPropertyFile) {
    ctx.report(
      'invalid-expression',
      path,
      inJsonGet
        ? `Std:JsonGet reads "${getPath}", which is not a property file; use Steps.<step>.PropertyFiles.<name>.`
        : `"${getPath}" is a property file; read values from it with Std:JsonGet.`,
    );
    return;
  }
  if (isPropertyFile) {
    const fileName = second?.kind === 'member' ? second.name : undefined;
    if (fileName === undefined || third !== undefined) {
      ctx.report('invalid-expression', path, `"${getPath}" must be Steps.${target}.PropertyFiles.<name>.`);
      return;
    }
    if (targetInfo.type !== 'Processing') {
      ctx.report('unknown-property-file', path, `"${getPath}": step '${target}' is a ${targetInfo.type} step and has no property files.`);
      return;
    }
    const declared = propertyFileNames(targetInfo);
    if (!declared.includes(fileName)) {
      ctx.report(
        'unknown-property-file',
        path,
        `"${getPath}": step '${target}' declares no property file '${fileName}' (declared: ${declared.join(', ') || 'none'}).`,
      );
    }
    return;
  }
  if (first?.kind === 'member' && first.name === 'ProcessingOutputConfig' && targetInfo.type === 'Processing') {
    const outputs = processingOutputs(targetInfo);
    const selector = parsed.segments[2];
    if (!outputs || !(second?.kind === 'member' && second.name === 'Outputs') || !selector) {
      return;
    }
    if (selector.kind === 'key' && !outputs.includes(selector.key)) {
      ctx.report(
        'unknown-output',
        path,
        `"${getPath}": step '${target}' has no output '${selector.key}' (outputs: ${outputs.join(', ') || 'none'}).`,
      );
    } else if (selector.kind === 'index' && selector.index >= outputs.length) {
      ctx.report('unknown-output', path, `"${getPath}": step '${target}' has only ${outputs.length} outputs.`);
    }
  }
}
