/**
 * Flattens a synthesized CloudFormation string value (a literal, or `Fn::Join` of literals and intrinsics) into
 * one string, writing each intrinsic as `{{<json of the intrinsic>}}` so tests can parse JSON documents that
 * CDK embedded with `Stack.toJsonString` and still see which intrinsic sits where.
 */
export function flattenJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'Fn::Join' in value) {
    const [delimiter, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(flattenJoin).join(delimiter);
  }
  return `{{${JSON.stringify(value).replace(/"/g, "'")}}}`;
}
