import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalModelRegistry, modelPackageArn, parseModelPackageArn } from '../../../local/registry';

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newRegistry(): LocalModelRegistry {
  return new LocalModelRegistry({ root: tempDir('registry-') });
}

const spec = {
  Containers: [{ Image: 'xgboost:1.7-1', ModelDataUrl: 's3://bkt/model.tar.gz', Environment: { SAGEMAKER_PROGRAM: 'inference.py' } }],
  SupportedContentTypes: ['text/csv'],
};

describe('LocalModelRegistry', () => {
  test('numbers versions 1..n per group and stores them as JSON files', () => {
    const registry = newRegistry();
    const first = registry.createModelPackage({ ModelPackageGroupName: 'churn', InferenceSpecification: spec });
    const second = registry.createModelPackage(
      { ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Approved', InferenceSpecification: spec },
      { metrics: { regression_metrics: { r2: { value: 0.9 } } }, generatedBy: 'arn:exec' },
    );
    const other = registry.createModelPackage({ ModelPackageGroupName: 'fraud' });
    expect(first.ModelPackageVersion).toBe(1);
    expect(first.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(second.ModelPackageArn).toBe('arn:aws:sagemaker:local:000000000000:model-package/churn/2');
    expect(other.ModelPackageVersion).toBe(1);
    expect(fs.existsSync(path.join(registry.root, 'churn', '2.json'))).toBe(true);
    const described = registry.describeModelPackage(second.ModelPackageArn);
    expect(described.Metrics).toEqual({ regression_metrics: { r2: { value: 0.9 } } });
    expect(described.MetadataProperties).toEqual({ GeneratedBy: 'arn:exec' });
    expect(described.InferenceSpecification?.Containers[0].ModelDataUrl).toBe('s3://bkt/model.tar.gz');
    expect(registry.listModelPackages('churn').map((p) => p.ModelPackageVersion)).toEqual([1, 2]);
    expect(registry.listModelPackageGroups()).toEqual(['churn', 'fraud']);
  });

  test('approval status updates and latestApproved', () => {
    const registry = newRegistry();
    const v1 = registry.createModelPackage({ ModelPackageGroupName: 'g1' });
    const v2 = registry.createModelPackage({ ModelPackageGroupName: 'g1' });
    expect(registry.latestApproved('g1')).toBeUndefined();
    registry.updateApprovalStatus(v1.ModelPackageArn, 'Approved', 'looks good');
    expect(registry.latestApproved('g1')?.ModelPackageVersion).toBe(1);
    registry.updateApprovalStatus(v2.ModelPackageArn, 'Approved');
    expect(registry.latestApproved('g1')?.ModelPackageVersion).toBe(2);
    registry.updateApprovalStatus(v2.ModelPackageArn, 'Rejected');
    expect(registry.latestApproved('g1')?.ModelPackageVersion).toBe(1);
    expect(registry.describeModelPackage(v1.ModelPackageArn).ApprovalDescription).toBe('looks good');
    expect(registry.listModelPackages('g1', { approvalStatus: 'Rejected' })).toHaveLength(1);
    expect(registry.latestApproved('missing')).toBeUndefined();
  });

  test('clear errors for bad input', () => {
    const registry = newRegistry();
    expect(() => registry.createModelPackage({ ModelPackageGroupName: 'bad name!' })).toThrow(
      /Invalid ModelPackageGroupName "bad name!"/,
    );
    expect(() =>
      registry.createModelPackage({ ModelPackageGroupName: 'g', ModelApprovalStatus: 'Maybe' as never }),
    ).toThrow(/Invalid ModelApprovalStatus "Maybe": use one of Approved, Rejected, PendingManualApproval/);
    expect(() => registry.describeModelPackage(modelPackageArn('g', 7))).toThrow(
      /model-package\/g\/7 is not in the local registry/,
    );
    expect(() => registry.describeModelPackage('not-an-arn')).toThrow(/"not-an-arn" is not a model package ARN/);
    const v = registry.createModelPackage({ ModelPackageGroupName: 'g' });
    expect(() => registry.updateApprovalStatus(v.ModelPackageArn, 'approved' as never)).toThrow(/"approved"/);
  });

  test('parses real AWS ARNs too', () => {
    expect(parseModelPackageArn('arn:aws:sagemaker:us-east-1:123456789012:model-package/my-group/12')).toEqual({
      group: 'my-group',
      version: 12,
    });
  });
});
