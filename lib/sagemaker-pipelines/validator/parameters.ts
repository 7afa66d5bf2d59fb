import { isRecord, show, type Json } from '../private/json';
import { isUnresolved } from '../tokens';
import { NAME_PATTERN, type ValidationContext } from './context';

export function checkParameters(ctx: ValidationContext, parameters: Json): void {
  if (parameters === undefined) {
    return;
  }
  if (!Array.isArray(parameters)) {
    ctx.report('invalid-definition', 'Parameters', `Parameters must be a list, got ${show(parameters)}.`);
    return;
  }
  parameters.forEach((parameter: Json, index: number) => {
    const path = `Parameters[${index}]`;
    if (!isRecord(parameter)) {
      ctx.report('invalid-parameter', path, `A parameter must be an object with Name and Type, got ${show(parameter)}.`);
      return;
    }
    const { Name: name, Type: type, DefaultValue: defaultValue } = parameter;
    if (typeof name !== 'string' || (!isUnresolved(name) && (!NAME_PATTERN.test(name) || name.length > 256))) {
      ctx.report(
        'invalid-parameter',
        `${path}.Name`,
        `Parameter name ${show(name)} is invalid: use 1-256 letters, digits, '-' or '_'.`,
      );
      return;
    }
    const where = `Parameters[${name}]`;
    if (ctx.parameters.has(name)) {
      ctx.report('duplicate-parameter', where, `Parameter '${name}' is declared more than once; keep one.`);
      return;
    }
    if (type !== 'String' && type !== 'Integer' && type !== 'Float' && type !== 'Boolean') {
      ctx.report(
        'invalid-parameter',
        `${where}.Type`,
        `Parameter '${name}' has type ${show(type)}; use String, Integer, Float or Boolean.`,
      );
      ctx.parameters.set(name, 'unknown');
      return;
    }
    ctx.parameters.set(name, type);
    if (defaultValue !== undefined && !isUnresolved(defaultValue)) {
      const ok =
        (type === 'String' && typeof defaultValue === 'string') ||
        (type === 'Integer' && typeof defaultValue === 'number' && Number.isInteger(defaultValue)) ||
        (type === 'Float' && typeof defaultValue === 'number' && Number.isFinite(defaultValue)) ||
        (type === 'Boolean' && typeof defaultValue === 'boolean');
      if (!ok) {
        ctx.report(
          'parameter-type-mismatch',
          `${where}.DefaultValue`,
          `Parameter '${name}' is ${type} but its DefaultValue is ${show(defaultValue)} (${typeof defaultValue}); ` +
            `give a ${type === 'Integer' ? 'whole number' : type.toLowerCase()} default.`,
        );
      }
    }
    const enumValues = parameter.EnumValues;
    if (enumValues !== undefined) {
      if (type !== 'String' || !Array.isArray(enumValues) || enumValues.some((v: Json) => typeof v !== 'string')) {
        ctx.report(
          'invalid-parameter',
          `${where}.EnumValues`,
          `EnumValues of '${name}' must be a list of strings on a String parameter, got ${show(enumValues)}.`,
        );
      } else if (typeof defaultValue === 'string' && !isUnresolved(defaultValue) && !enumValues.includes(defaultValue)) {
        ctx.report(
          'parameter-type-mismatch',
          `${where}.DefaultValue`,
          `DefaultValue "${defaultValue}" of '${name}' is not one of its EnumValues (${enumValues.join(', ')}).`,
        );
      }
    }
  });
}
