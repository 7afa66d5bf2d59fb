import { type PolicyViolation, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** A finding of the AWS Solutions pack: the rule id (granular, e.g. `AwsSolutions-IAM5[Action::s3:*]`) and where. */
export interface NagFinding {
  readonly ruleId: string;
  readonly constructPath: string;
}

function toFindings(violations: PolicyViolation[]): NagFinding[] {
  return violations.flatMap((v) => v.violatingResources.map((r) => ({ ruleId: v.ruleName, constructPath: r.constructPath ?? '?' })));
}

/** AwsSolutions findings under `scope` that are NOT acknowledged. */
export function unacknowledgedFindings(scope: IConstruct): NagFinding[] {
  return toFindings(new AwsSolutionsChecks().validateScope(scope).violations);
}

/** Every AwsSolutions finding under `scope`, acknowledged or not. */
export function allFindings(scope: IConstruct): NagFinding[] {
  const pack = new AwsSolutionsChecks();
  // Test-only: see through acknowledgements, to prove each one matches a finding.
  Object.assign(pack, { isAcknowledged: () => false });
  return toFindings(pack.validateScope(scope).violations);
}

/** An acknowledgement recorded with Validations.of(construct).acknowledge(). */
export interface RecordedAcknowledgement {
  readonly ruleId: string;
  readonly reason: string;
  /** Path of the construct the acknowledgement was placed on. */
  readonly constructPath: string;
}

/** Every acknowledgement under `scope`. */
export function acknowledgements(scope: IConstruct): RecordedAcknowledgement[] {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
      ruleId: id.replace(/^annotation::/i, ''),
      reason,
      constructPath: construct.node.path,
    }))));
}

/** Whether a finding on `findingPath` is covered by an acknowledgement placed on `ackPath` (itself or an ancestor). */
export function covers(ackPath: string, findingPath: string): boolean {
  return findingPath === ackPath || findingPath.startsWith(`${ackPath}/`);
}
