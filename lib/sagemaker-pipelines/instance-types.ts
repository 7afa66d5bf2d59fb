/** A SageMaker ML instance type: `ml.<family>.<size>`, e.g. `ml.m5.xlarge`, `ml.g5.12xlarge`, `ml.p4de.24xlarge`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;

/** Whether `value` looks like a SageMaker ML instance type. */
export function isInstanceType(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_TYPE_PATTERN.test(value);
}
