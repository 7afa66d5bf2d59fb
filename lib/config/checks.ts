/**
 * The small checks every part of the stage config validation uses. Values that are CDK tokens (resolved at deploy
 * time) are not checked.
 */
import { Token } from 'aws-cdk-lib';

/** Reports one bad value: its path, the value and what is allowed. */
export type Fail = (path: string, value: unknown, expected: string) => void;

/** False for a CDK token, which only deployment resolves. */
export function isConcrete(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** Checks an integer in [min, max]; returns false when it reported a problem. */
export function validateInteger(path: string, value: number, min: number, max: number, fail: Fail): boolean {
  if (!isConcrete(value)) return true;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, value, `expected an integer between ${min} and ${max}`);
    return false;
  }
  return true;
}

/** Checks a finite number in [min, max]; returns false when it reported a problem. */
export function validateNumber(path: string, value: number, min: number, max: number, fail: Fail): boolean {
  if (!isConcrete(value)) return true;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === -Infinity ? `<= ${max}` : max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    fail(path, value, `expected a number ${range}`);
    return false;
  }
  return true;
}
