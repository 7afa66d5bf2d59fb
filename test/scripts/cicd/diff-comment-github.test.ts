import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildDiffComment,
  CODECOMMIT_COMMENT_LIMIT,
  type FetchFunction,
  GITHUB_COMMENT_LIMIT,
  main,
  parseGitHubRepository,
  postGitHubComment,
  pullRequestNumberFromTrigger,
} from '../../../scripts/cicd/diff-comment';
import { removeTemporaryFolders, temporaryFolder } from '../../helpers/temporary-folders';

afterAll(removeTemporaryFolders);

const DIFF = [
  'Stack dev/Data (dev-Data)',
  'Resources',
  '[+] AWS::SQS::Queue Queue Queue4A7E3555',
  '',
  '✨  Number of stacks with differences: 1',
].join('\n');

interface Call { readonly url: string; readonly init: Parameters<FetchFunction>[1] }

/** A fake fetch answering every request with `status` and `body`, recording the requests. */
function fakeFetch(status: number, body: unknown = {}): { fetch: FetchFunction; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchFunction = async (url, init) => {
    calls.push({ url, init });
    return { ok: status >= 200 && status < 300, status, text: async () => (typeof body === 'string' ? body : JSON.stringify(body)) };
  };
  return { fetch, calls };
}

const request = (fetch: FetchFunction, overrides: Partial<Parameters<typeof postGitHubComment>[0]> = {}): Parameters<typeof postGitHubComment>[0] => ({
  repository: 'my-org/mlops-platform',
  pullRequestNumber: 7,
  token: 'github_pat_example',
  body: 'hello',
  tokenSource: 'the Secrets Manager secret mlops-platform/github-token (GITHUB_TOKEN)',
  fetch,
  ...overrides,
});

describe('the pull request number from CODEBUILD_WEBHOOK_TRIGGER', () => {
  test('pr/<number> gives the number', () => {
    expect(pullRequestNumberFromTrigger('pr/7')).toBe(7);
    expect(pullRequestNumberFromTrigger('pr/1234')).toBe(1234);
  });

  test.each([['branch/main'], ['tag/v1.0'], ['pr/'], ['pr/abc'], ['pr/0'], ['pr/7/x'], [' pr/7'], [''], [undefined]])(
    'GIVEN %p THEN a clear error says a pull request event is needed',
    (trigger) => {
      expect(() => pullRequestNumberFromTrigger(trigger)).toThrow(/CODEBUILD_WEBHOOK_TRIGGER is .*: expected pr\/<number>.*pull request webhook event/);
      expect(() => pullRequestNumberFromTrigger(trigger)).toThrow(JSON.stringify(trigger ?? null));
    },
  );

  test('repository ids are owner/name', () => {
    expect(parseGitHubRepository('my-org/mlops.platform_2')).toEqual({ owner: 'my-org', repo: 'mlops.platform_2' });
    for (const bad of ['mlops', 'a/b/c', '/repo', 'org/', 'org/..', undefined]) {
      expect(() => parseGitHubRepository(bad)).toThrow('expected owner/name');
    }
  });
});

describe('postGitHubComment', () => {
  test('GIVEN GitHub accepts THEN one POST to the issue comments of the pull request, with the bearer token and the body as JSON', async () => {
    const { fetch, calls } = fakeFetch(201, { id: 1, html_url: 'https://github.com/my-org/mlops-platform/pull/7#issuecomment-1' });
    const result = await postGitHubComment(request(fetch, { body: '## `cdk diff`\n"quoted"' }));
    expect(result).toEqual({ url: 'https://github.com/my-org/mlops-platform/pull/7#issuecomment-1' });
    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls;
    expect(url).toBe('https://api.github.com/repos/my-org/mlops-platform/issues/7/comments');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({
      Authorization: 'Bearer github_pat_example',
      Accept: 'application/vnd.github+json',
      'Content-Type': 'application/json',
      'X-GitHub-Api-Version': '2022-11-28',
    });
    expect(init.headers['User-Agent']).toBeTruthy();
    expect(JSON.parse(init.body)).toEqual({ body: '## `cdk diff`\n"quoted"' });
  });

  test.each([
    [401, { message: 'Bad credentials' }, /HTTP 401: GitHub does not accept the token: the Secrets Manager secret mlops-platform\/github-token \(GITHUB_TOKEN\) holds an invalid, expired or revoked token\. Put a valid token in it.*GitHub said: Bad credentials/],
    [403, { message: 'Resource not accessible by personal access token' }, /HTTP 403: the token may not comment on pull request #7 of my-org\/mlops-platform: give it write access to the repository's "Pull requests" or "Issues".*GitHub said: Resource not accessible/],
    [404, { message: 'Not Found' }, /HTTP 404: GitHub finds no pull request #7 of my-org\/mlops-platform, or the token cannot see the repository.*Check GITHUB_REPOSITORY/],
    [422, { message: 'Validation Failed', errors: [{ message: 'body is too long (maximum is 65536 characters)' }] }, /HTTP 422: GitHub refused the comment.*GitHub said: Validation Failed; body is too long \(maximum is 65536 characters\)/],
    [410, { message: 'Issues are disabled for this repo' }, /HTTP 410: issues are disabled on my-org\/mlops-platform.*enable Issues/],
    [500, '<html>oops</html>', /HTTP 500: unexpected answer.*GitHub said: <html>oops<\/html>/],
  ])('GIVEN GitHub answers %i THEN the error names the status and what to do', async (status, body, message) => {
    const { fetch, calls } = fakeFetch(status, body);
    await expect(postGitHubComment(request(fetch))).rejects.toThrow(message);
    expect(calls).toHaveLength(1);
  });

  test('the token never appears in an error', async () => {
    const { fetch } = fakeFetch(401, { message: 'Bad credentials' });
    await expect(postGitHubComment(request(fetch, { token: 'secret-token-value' }))).rejects.toThrow(expect.objectContaining({
      message: expect.not.stringContaining('secret-token-value'),
    }));
  });

  test('GIVEN the network fails THEN the error says api.github.com could not be reached', async () => {
    const fetch: FetchFunction = async () => {
      throw new Error('getaddrinfo ENOTFOUND api.github.com');
    };
    await expect(postGitHubComment(request(fetch))).rejects.toThrow(/could not be reached \(getaddrinfo ENOTFOUND api\.github\.com\); check the build's network access/);
  });

  test.each([
    ['an empty token', { token: '' }, 'The GitHub token is empty: the Secrets Manager secret mlops-platform/github-token (GITHUB_TOKEN) must hold a token'],
    ['a bad repository', { repository: 'mlops-platform' }, 'expected owner/name'],
    ['pull request 0', { pullRequestNumber: 0 }, 'Pull request number is 0'],
    ['a body over the limit', { body: 'x'.repeat(GITHUB_COMMENT_LIMIT + 1) }, `GitHub accepts at most ${GITHUB_COMMENT_LIMIT}`],
  ])('GIVEN %s THEN nothing is sent', async (_label, overrides, message) => {
    const { fetch, calls } = fakeFetch(201);
    await expect(postGitHubComment(request(fetch, overrides))).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });
});

describe('diff-comment CLI with --provider github', () => {
  const dir = temporaryFolder('diff-comment-github-');
  const devFile = path.join(dir, 'dev.txt');
  writeFileSync(devFile, DIFF);
  const env = { GITHUB_TOKEN: 'github_pat_example', GITHUB_TOKEN_SECRET_NAME: 'mlops-platform/github-token' };
  const args = (trigger: string, extra: string[] = []): string[] => [
    '--provider', 'github', '--diff', `dev=${devFile}`, '--tests', 'passed',
    '--github-repository', 'my-org/mlops-platform', '--webhook-trigger', trigger, '--after-commit', 'abc123', ...extra,
  ];

  test('GIVEN a pull request build THEN the comment is posted on that pull request', async () => {
    const { fetch, calls } = fakeFetch(201, { html_url: 'https://github.com/my-org/mlops-platform/pull/12#issuecomment-9' });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await main(args('pr/12'), { env, fetch });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('https://api.github.com/repos/my-org/mlops-platform/issues/12/comments');
    const body = JSON.parse(calls[0].init.body).body as string;
    expect(body).toContain('Source commit `abc123` · tests ✅ passed.');
    expect(body).toContain('| dev | 1 of 1 | 1 | 0 | 0 | no |');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('on pull request #12 of my-org/mlops-platform: https://github.com/my-org/mlops-platform/pull/12#issuecomment-9'));
    log.mockRestore();
  });

  test.each([['branch/main'], ['pr/'], ['pr/abc'], ['']])('GIVEN CODEBUILD_WEBHOOK_TRIGGER %p THEN a clear error and no request', async (trigger) => {
    const { fetch, calls } = fakeFetch(201);
    await expect(main(args(trigger), { env, fetch })).rejects.toThrow('expected pr/<number>');
    expect(calls).toEqual([]);
  });

  test('GIVEN no token THEN the error names the secret and nothing is sent', async () => {
    const { fetch, calls } = fakeFetch(201);
    await expect(main(args('pr/12'), { env: { GITHUB_TOKEN_SECRET_NAME: 'mlops-platform/github-token' }, fetch }))
      .rejects.toThrow('The GitHub token is empty: the Secrets Manager secret mlops-platform/github-token (GITHUB_TOKEN)');
    expect(calls).toEqual([]);
  });

  test('GIVEN GitHub refuses the token THEN main rejects with the status and the secret to fix', async () => {
    const { fetch } = fakeFetch(401, { message: 'Bad credentials' });
    await expect(main(args('pr/12'), { env, fetch })).rejects.toThrow(/HTTP 401.*mlops-platform\/github-token/);
  });

  test('GIVEN a huge diff THEN the GitHub comment uses GitHub\'s 65,536-character limit, not CodeCommit\'s', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `[+] AWS::SQS::Queue Q${i} Queue${i}`);
    const big = path.join(dir, 'big.txt');
    writeFileSync(big, `Stack dev/Data (dev-Data)\nResources\n${lines.join('\n')}\n`);
    const { fetch, calls } = fakeFetch(201);
    jest.spyOn(console, 'log').mockImplementationOnce(() => undefined);
    await main(['--provider', 'github', '--diff', `dev=${big}`, '--github-repository', 'my-org/mlops-platform', '--webhook-trigger', 'pr/3'], { env, fetch });
    const body = JSON.parse(calls[0].init.body).body as string;
    expect(body.length).toBeGreaterThan(CODECOMMIT_COMMENT_LIMIT);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain('(the comment limit is 65536)');
    // --output with the provider writes the same comment, offline
    const output = path.join(dir, 'comment.md');
    await main(['--provider', 'github', '--diff', `dev=${big}`, '--output', output]);
    expect(readFileSync(output, 'utf8')).toBe(body);
    expect(buildDiffComment({ diffs: [{ stage: 'dev', text: readFileSync(big, 'utf8') }] })).toContain('(the comment limit is 10240)');
  });

  test('an unknown provider is rejected, saying GitLab and Bitbucket are not supported', async () => {
    await expect(main(['--provider', 'gitlab', '--diff', `dev=${devFile}`])).rejects.toThrow("--provider is 'gitlab': expected codecommit or github (GitLab and Bitbucket are not supported)");
  });

  test('the default provider is still CodeCommit', async () => {
    await expect(main(['--diff', `dev=${devFile}`])).rejects.toThrow('Posting needs --repository');
  });
});
