/** Kinds of problems `validatePipelineDefinition` reports. */
export type ValidationIssueCode =
  | 'invalid-definition'
  | 'empty-steps'
  | 'invalid-step-name'
  | 'duplicate-step-name'
  | 'unknown-step-type'
  | 'invalid-arguments'
  | 'missing-argument'
  | 'invalid-parameter'
  | 'duplicate-parameter'
  | 'parameter-type-mismatch'
  | 'unknown-step'
  | 'unknown-parameter'
  | 'unknown-execution-variable'
  | 'invalid-expression'
  | 'unknown-output'
  | 'unknown-property-file'
  | 'invalid-property-file'
  | 'unreachable-reference'
  | 'cycle'
  | 'invalid-condition'
  | 'invalid-cache-config'
  | 'invalid-retry-policy'
  | 'invalid-depends-on';

/**
 * One problem found in a definition. Other checkers (local mode's) report theirs in the same shape with codes of
 * their own, so one list can hold both and nothing needs to read message text.
 */
export interface ValidationIssue<Code extends string = ValidationIssueCode> {
  /** What kind of problem it is. */
  readonly code: Code;
  /** Where it is, e.g. `Steps[Evaluate].Arguments.ProcessingInputs[0].S3Input.S3Uri`; empty for the whole definition. */
  readonly path: string;
  /** What is wrong, naming the offending value, and what to do. */
  readonly message: string;
}

/** Formats issues as one message per line. */
export function formatValidationIssues(issues: readonly ValidationIssue<string>[]): string {
  return issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n');
}
