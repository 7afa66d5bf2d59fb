import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One acknowledged wildcard of an IAM policy, with the reason it is acceptable. */
export interface WildcardAcknowledgement {
  /** The wildcard action (`s3:GetObject*`) or resource (an ARN string, tokens allowed) as written in the policy. */
  readonly wildcard: string;
  /** Why this wildcard is acceptable. */
  readonly reason: string;
}

/**
 * Acknowledges AwsSolutions-IAM5 findings of one policy construct, one granular finding id per wildcard
 * (`AwsSolutions-IAM5[Action::s3:GetObject*]`, `AwsSolutions-IAM5[Resource::<arn>]`). Resource ids are
 * rendered the way cdk-nag renders them (`Fn::Join` concatenated, `Ref` as `<Name>`, `Fn::ImportValue` as the
 * export name), so they follow the stack's account, region and partition.
 */
export function acknowledgeIamWildcards(
  policy: IConstruct,
  findings: { readonly actions?: WildcardAcknowledgement[]; readonly resources?: WildcardAcknowledgement[] },
): void {
  const validations = Validations.of(policy);
  for (const { wildcard, reason } of findings.actions ?? []) {
    validations.acknowledge({ id: `AwsSolutions-IAM5[Action::${wildcard}]`, reason });
  }
  for (const { wildcard, reason } of findings.resources ?? []) {
    const rendered = renderReference(Stack.of(policy).resolve(wildcard));
    validations.acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
  }
}

/** A resolved CloudFormation value as cdk-nag flattens it into a finding id. */
function renderReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const value = node as Record<string, unknown>;
    if (Array.isArray(value['Fn::Join'])) {
      const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
      return items.map(renderReference).join(delimiter);
    }
    if (value['Fn::Sub'] !== undefined) return renderReference(value['Fn::Sub']);
    if (Array.isArray(value['Fn::GetAtt'])) {
      const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
      return `<${renderReference(resource)}.${renderReference(attribute)}>`;
    }
    if (value['Fn::ImportValue'] !== undefined) return renderReference(value['Fn::ImportValue']);
    if (value.Ref !== undefined) return `<${renderReference(value.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** A wildcard of a policy document: an action (`s3:GetObject*`) or a resource as cdk-nag renders it. */
export type PolicyWildcard = { readonly kind: 'action' | 'resource'; readonly rendered: string };

/**
 * Acknowledges every IAM5 wildcard of a policy that a library generated (CodePipeline's action roles, for one), one
 * granular id per wildcard, with the reason `reasonFor` gives each; `reasonFor` throws for a wildcard it cannot
 * explain, so a new one fails synth instead of passing unexplained.
 */
export function acknowledgeGeneratedWildcards(
  policy: IConstruct,
  reasonFor: (wildcard: PolicyWildcard) => string,
  /** Ids acknowledged by an earlier call on this policy: skipped, and this call's are added (for a second pass). */
  acknowledged: Set<string> = new Set(),
): void {
  const document = Stack.of(policy).resolve((policy as unknown as { policyDocument: unknown }).policyDocument) as {
    Statement?: { Action?: string | string[]; Resource?: unknown }[];
  };
  const validations = Validations.of(policy);
  const seen = acknowledged;
  for (const statement of document.Statement ?? []) {
    const actions = Array.isArray(statement.Action) ? statement.Action : statement.Action === undefined ? [] : [statement.Action];
    const resources = Array.isArray(statement.Resource) ? statement.Resource : statement.Resource === undefined ? [] : [statement.Resource];
    const wildcards: PolicyWildcard[] = [
      ...actions.filter((a) => a.includes('*')).map((rendered) => ({ kind: 'action' as const, rendered })),
      ...resources.map((r) => ({ kind: 'resource' as const, rendered: renderReference(r) })).filter((w) => w.rendered.includes('*')),
    ];
    for (const wildcard of wildcards) {
      const id = `AwsSolutions-IAM5[${wildcard.kind === 'action' ? 'Action' : 'Resource'}::${wildcard.rendered}]`;
      if (seen.has(id)) continue;
      seen.add(id);
      validations.acknowledge({ id, reason: reasonFor(wildcard) });
    }
  }
}
