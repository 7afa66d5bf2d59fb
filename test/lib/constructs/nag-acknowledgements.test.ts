import { Arn, Fn, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { acknowledgeIamWildcards } from '../../../lib/constructs/nag-acknowledgements';
import { createTestApp } from '../../helpers/app';
import { unacknowledgedFindings } from '../../helpers/nag';

function roleWithWildcards() {
  // Environment-agnostic: ARNs hold Ref AWS::Partition / AWS::Region / AWS::AccountId.
  const stack = new Stack(createTestApp(), 'S');
  const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') });
  const imported = `${Fn.importValue('prefix:BucketArn')}/data/*`;
  const jobs = Arn.format({ service: 'sagemaker', resource: 'training-job', resourceName: '*' }, stack);
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject*'], resources: [imported] }));
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sagemaker:DescribeTrainingJob'], resources: [jobs] }));
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild!;
  return { stack, policy, imported, jobs };
}

describe('acknowledgeIamWildcards', () => {
  test('finding ids are rendered the way cdk-nag renders them', () => {
    const { stack, policy } = roleWithWildcards();
    expect(unacknowledgedFindings(stack).map((f) => f.ruleId).sort()).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]',
      'AwsSolutions-IAM5[Resource::prefix:BucketArn/data/*]',
    ]);
    expect(unacknowledgedFindings(stack).every((f) => f.constructPath === policy.node.path)).toBe(true);
  });

  test('acknowledged wildcards (tokens resolved) leave no finding', () => {
    const { stack, policy, imported, jobs } = roleWithWildcards();
    acknowledgeIamWildcards(policy, {
      actions: [{ wildcard: 's3:GetObject*', reason: 'Object reads and their versions under data/ only.' }],
      resources: [
        { wildcard: imported, reason: 'Objects under data/ only.' },
        { wildcard: jobs, reason: 'Job names are generated.' },
      ],
    });
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('acknowledging one wildcard leaves the others reported', () => {
    const { stack, policy, jobs } = roleWithWildcards();
    acknowledgeIamWildcards(policy, { resources: [{ wildcard: jobs, reason: 'Job names are generated.' }] });
    expect(unacknowledgedFindings(stack).map((f) => f.ruleId).sort()).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Resource::prefix:BucketArn/data/*]',
    ]);
  });
});
