/**
 * Resolves CloudFormation intrinsic functions in a synthesized template value with local stand-ins for what only a
 * deployment knows (pseudo parameters, resource attributes, exports). Local mode uses it to place the stage's assets
 * where the template says they are; the parity test uses it to compare a deployed definition with the local one.
 */

/** What the intrinsics of a template read, in local terms. */
export interface IntrinsicValues {
  /** `AWS::Region`, `AWS::AccountId`, `AWS::Partition`, `AWS::URLSuffix`, ... */
  readonly pseudo: { readonly [name: string]: string };
  /** `{ Ref: logicalId }` of a resource or parameter. */
  ref?(logicalId: string): unknown;
  /** `{ 'Fn::GetAtt': [logicalId, attribute] }`. */
  getAtt?(logicalId: string, attribute: string): unknown;
  /** `{ 'Fn::ImportValue': exportName }`. */
  importValue?(exportName: string): unknown;
  /** The template's `Mappings` (for `Fn::FindInMap`). */
  readonly mappings?: { readonly [map: string]: { readonly [key: string]: { readonly [name: string]: unknown } } };
}

/** An intrinsic that cannot be resolved with the given values; the message names it and where it is. */
export class IntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicError';
  }
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves every intrinsic in `value` (deeply); throws {@link IntrinsicError} naming any it cannot resolve. */
export function resolveIntrinsics(value: Json, values: IntrinsicValues, where = '$'): Json {
  if (Array.isArray(value)) return value.map((item, i) => resolveIntrinsics(item, values, `${where}[${i}]`));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return resolveFunction(keys[0], value[keys[0]], values, where);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(value[k], values, `${where}.${k}`)]));
}

function text(value: Json, what: string, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(`${what} at ${where} resolved to ${JSON.stringify(value)}, which is not a string`);
}

function provided(result: unknown, what: string, where: string): Json {
  if (result === undefined) throw new IntrinsicError(`no local value for ${what} at ${where}`);
  return result;
}

function resolveFunction(name: string, argument: Json, values: IntrinsicValues, where: string): Json {
  const arg = (a: Json, suffix = '') => resolveIntrinsics(a, values, `${where}.${name}${suffix}`);
  switch (name) {
    case 'Ref': {
      const target = text(argument, 'Ref', where);
      if (target.startsWith('AWS::')) return provided(values.pseudo[target], `pseudo parameter ${target}`, where);
      return provided(values.ref?.(target), `{"Ref": "${target}"}`, where);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
      const id = text(logicalId, 'Fn::GetAtt resource', where);
      const attr = text(arg(attribute, '[1]'), 'Fn::GetAtt attribute', where);
      return provided(values.getAtt?.(id, attr), `{"Fn::GetAtt": ["${id}", "${attr}"]}`, where);
    }
    case 'Fn::ImportValue': {
      const exportName = text(arg(argument), 'Fn::ImportValue', where);
      return provided(values.importValue?.(exportName), `{"Fn::ImportValue": "${exportName}"}`, where);
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new IntrinsicError(`Fn::Join at ${where} needs [delimiter, [values]]`);
      const delimiter = text(argument[0], 'Fn::Join delimiter', where);
      const items = arg(argument[1], '[1]');
      if (!Array.isArray(items)) throw new IntrinsicError(`Fn::Join at ${where} joins ${JSON.stringify(items)}, which is not a list`);
      return items.map((item, i) => text(item, `Fn::Join item ${i}`, where)).join(delimiter);
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
      const vars = isRecord(variables) ? (arg(variables, '[1]') as Record<string, Json>) : {};
      return text(template, 'Fn::Sub template', where).replace(/\$\{([^}!]+)\}/g, (_, variable: string) => {
        if (variable in vars) return text(vars[variable], `Fn::Sub variable ${variable}`, where);
        if (variable.includes('.')) {
          const [id, ...attribute] = variable.split('.');
          return text(provided(values.getAtt?.(id, attribute.join('.')), `\${${variable}}`, where), variable, where);
        }
        return text(resolveFunction('Ref', variable, values, where), variable, where);
      });
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(argument) || argument.length !== 3) throw new IntrinsicError(`Fn::FindInMap at ${where} needs [map, key, name]`);
      const [map, key, attribute] = argument.map((a, i) => text(arg(a, `[${i}]`), 'Fn::FindInMap argument', where));
      const found = values.mappings?.[map]?.[key]?.[attribute];
      return provided(found, `{"Fn::FindInMap": ["${map}", "${key}", "${attribute}"]}`, where);
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new IntrinsicError(`Fn::Select at ${where} needs [index, list]`);
      const index = Number(arg(argument[0], '[0]'));
      const list = arg(argument[1], '[1]');
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new IntrinsicError(`Fn::Select at ${where}: index ${index} is not in ${JSON.stringify(list)}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || argument.length !== 2) throw new IntrinsicError(`Fn::Split at ${where} needs [delimiter, string]`);
      return text(arg(argument[1], '[1]'), 'Fn::Split string', where).split(text(argument[0], 'Fn::Split delimiter', where));
    }
    default:
      throw new IntrinsicError(`${name} at ${where} is not supported locally (supported: Ref, Fn::GetAtt, Fn::ImportValue, Fn::Join, Fn::Sub, Fn::FindInMap, Fn::Select, Fn::Split)`);
  }
}
