import { CicdConfigError, DEFAULT_CICD_CONFIG, loadCicdConfig, type CicdConfigOverrides } from '../../../lib/config';

describe('loadCicdConfig', () => {
  test('GIVEN no overrides THEN the defaults: a created CodeCommit repository, main, dev and staging retrain', () => {
    expect(loadCicdConfig()).toEqual(DEFAULT_CICD_CONFIG);
    expect(DEFAULT_CICD_CONFIG.retrainAfterDeploy).toEqual({ dev: true, staging: true, prod: false });
    expect(DEFAULT_CICD_CONFIG.docsOnlyPaths).toEqual(['**/*.md', 'docs/**']);
  });

  test('GIVEN the dev stage\'s account and region THEN the pipeline defaults to them; overrides win', () => {
    expect(loadCicdConfig({}, { pipelineAccount: '123456789012', pipelineRegion: 'eu-west-1' })).toMatchObject({ pipelineAccount: '123456789012', pipelineRegion: 'eu-west-1' });
    expect(loadCicdConfig({ pipelineAccount: '210987654321' }, { pipelineAccount: '123456789012' }).pipelineAccount).toBe('210987654321');
  });

  test('GIVEN one retrain override THEN the other stages keep their defaults', () => {
    expect(loadCicdConfig({ retrainAfterDeploy: { prod: true } }).retrainAfterDeploy).toEqual({ dev: true, staging: true, prod: true });
  });

  test('GIVEN a connection source THEN it is accepted', () => {
    const source = { kind: 'connection' as const, connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc-123', repository: 'org/repo' };
    expect(loadCicdConfig({ source }).source).toEqual(source);
  });

  test('GIVEN a connection source with a provider, and a token secret name THEN they are accepted; the defaults are github (by omission) and mlops-platform/github-token', () => {
    const arn = 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc-123';
    for (const provider of ['github', 'gitlab', 'bitbucket'] as const) {
      expect(loadCicdConfig({ source: { kind: 'connection', connectionArn: arn, repository: 'org/repo', provider } }).source).toMatchObject({ provider });
    }
    expect(DEFAULT_CICD_CONFIG.reviewTokenSecretName).toBe('mlops-platform/github-token');
    expect(loadCicdConfig({ reviewTokenSecretName: 'ci/github_token+review@org' }).reviewTokenSecretName).toBe('ci/github_token+review@org');
  });

  const BAD: [string, CicdConfigOverrides, string][] = [
    ['an unknown source kind', { source: { kind: 'svn' } as never }, 'source.kind is "svn": expected "codecommit" or "connection"'],
    ['a repository name with a space', { source: { kind: 'codecommit', repositoryName: 'my repo', create: true } }, 'source.repositoryName is "my repo"'],
    ['create as a string', { source: { kind: 'codecommit', repositoryName: 'r', create: 'yes' as never } }, 'source.create is "yes": expected true'],
    ['a connection ARN of another service', { source: { kind: 'connection', connectionArn: 'arn:aws:s3:::bucket', repository: 'o/r' } }, 'source.connectionArn is "arn:aws:s3:::bucket"'],
    ['a repository without owner', { source: { kind: 'connection', connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/x', repository: 'repo' } }, 'source.repository is "repo": expected the repository as "owner/name"'],
    ['an unknown connection provider', { source: { kind: 'connection', connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/x', repository: 'o/r', provider: 'GitHub' as never } }, 'source.provider is "GitHub": expected one of github, gitlab, bitbucket'],
    ['a token secret name with a space', { reviewTokenSecretName: 'github token' }, 'reviewTokenSecretName is "github token": expected a Secrets Manager secret name'],
    ['an empty token secret name', { reviewTokenSecretName: '' }, 'reviewTokenSecretName is "": expected a Secrets Manager secret name'],
    ['a branch with a space', { branch: 'my branch' }, 'branch is "my branch": expected a Git branch name'],
    ['a branch with ..', { branch: 'a..b' }, 'branch is "a..b"'],
    ['an 11-digit account', { pipelineAccount: '12345678901' }, 'pipelineAccount is "12345678901": expected a 12-digit AWS account id'],
    ['a region typo', { pipelineRegion: 'us-east1' }, 'pipelineRegion is "us-east1": expected an AWS region'],
    ['an unknown stage to retrain', { retrainAfterDeploy: { qa: true } as never }, 'retrainAfterDeploy.qa is true: unknown stage'],
    ['a retrain flag as a string', { retrainAfterDeploy: { dev: 'true' as never } }, 'retrainAfterDeploy.dev is "true": expected true or false'],
    ['waitForTraining as a string', { waitForTraining: 'no' as never }, 'waitForTraining is "no": expected true or false'],
    ['nine docs paths', { docsOnlyPaths: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }, 'docsOnlyPaths is ["a","b","c","d","e","f","g","h","i"]: expected a list of at most 8'],
    ['an absolute docs path', { docsOnlyPaths: ['/docs/**'] }, 'docsOnlyPaths[0] is "/docs/**"'],
    ['customImages as a number', { customImages: 1 as never }, 'customImages is 1: expected true or false'],
  ];

  test.each(BAD)('GIVEN %s THEN a CicdConfigError names the field, the value and what to do', (_label, overrides, message) => {
    let error: unknown;
    try {
      loadCicdConfig(overrides);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CicdConfigError);
    expect((error as CicdConfigError).problems).toEqual([expect.stringContaining(message)]);
    expect((error as CicdConfigError).message).toContain('Invalid CI/CD pipeline configuration');
  });

  test('GIVEN several bad values THEN every one is reported', () => {
    expect(() => loadCicdConfig({ branch: '', pipelineAccount: 'x', customImages: 'y' as never })).toThrow(/branch is ""[\s\S]*pipelineAccount is "x"[\s\S]*customImages is "y"/);
  });
});
