import * as fs from 'fs';
import * as path from 'path';
import { LocalModelRegistry, modelPackageArn, parseModelPackageArn } from '../../../local/registry';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

function newRegistry(): LocalModelRegistry {
  return new LocalModelRegistry({ root: temporaryFolder('registry-') });
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
    expect(second.ModelPackageArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/2');
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

describe('LocalModelRegistry version files', () => {
  const REPO = path.resolve(__dirname, '..', '..', '..');
  // The module object itself (not an import wrapper), so that a spy sees the registry's calls.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const realFs = require('fs') as typeof fs;

  /** Version files of a group that are not complete JSON right now. */
  function unreadableVersions(groupDir: string): string[] {
    if (!fs.existsSync(groupDir)) return [];
    return fs
      .readdirSync(groupDir)
      .filter((name) => /^\d+\.json$/.test(name))
      .filter((name) => {
        try {
          JSON.parse(fs.readFileSync(path.join(groupDir, name), 'utf8'));
          return false;
        } catch {
          return true;
        }
      });
  }

  afterEach(() => jest.restoreAllMocks());

  test('a version file never exists half-written: the record is complete before the version appears', () => {
    const registry = newRegistry();
    const groupDir = path.join(registry.root, 'churn');
    const seen: string[] = [];
    for (const method of ['writeFileSync', 'writeSync', 'appendFileSync'] as const) {
      const original = realFs[method] as (...args: unknown[]) => unknown;
      jest.spyOn(realFs, method).mockImplementation(((...args: unknown[]) => {
        seen.push(...unreadableVersions(groupDir));
        return original.apply(realFs, args);
      }) as never);
    }
    registry.createModelPackage({ ModelPackageGroupName: 'churn', InferenceSpecification: spec });
    registry.createModelPackage({ ModelPackageGroupName: 'churn', InferenceSpecification: spec });
    jest.restoreAllMocks();
    expect(seen).toEqual([]);
    expect(fs.readdirSync(groupDir).sort()).toEqual(['1.json', '2.json']); // no temporary files left
  });

  test('concurrent registrations from several processes get distinct versions, and readers only see whole files', async () => {
    const registry = newRegistry();
    const groupDir = path.join(registry.root, 'shared');
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { LocalModelRegistry } = require(${JSON.stringify(path.join(REPO, 'local', 'registry'))});
      const registry = new LocalModelRegistry({ root: ${JSON.stringify(registry.root)} });
      for (let i = 0; i < 8; i++) registry.createModelPackage({ ModelPackageGroupName: 'shared', ModelPackageDescription: 'x'.repeat(200000) });
    `;
    const { spawn } = await import('child_process');
    const writers = [1, 2, 3].map(
      () =>
        new Promise<number | null>((resolve) => spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: 'inherit' }).on('exit', resolve)),
    );
    let done = false;
    const unreadable: string[] = [];
    const reader = (async () => {
      while (!done) {
        unreadable.push(...unreadableVersions(groupDir));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const codes = await Promise.all(writers);
    done = true;
    await reader;
    expect(codes).toEqual([0, 0, 0]);
    expect(unreadable).toEqual([]);
    expect(registry.listModelPackages('shared').map((p) => p.ModelPackageVersion)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(fs.readdirSync(groupDir).filter((n) => !/^\d+\.json$/.test(n))).toEqual([]);
  });
});
