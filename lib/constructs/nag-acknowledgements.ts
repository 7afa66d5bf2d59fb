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
