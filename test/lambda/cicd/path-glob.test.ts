import { compileGlobs, globToRegExp, InvalidGlobError } from '../../../lambda/cicd/path-glob';

const matches = (glob: string, path: string): boolean => globToRegExp(glob).test(path);

describe('globToRegExp: CodePipeline trigger file-path globs', () => {
  test.each<[string, string[], string[]]>([
    ['**/*.md', ['README.md', 'docs/guide.md', 'a/b/c/NOTES.md', '.github/x.md'], ['README.mdx', 'README.md/x', 'docs/guide.md.ts', 'md', 'lib/readme.MD']],
    ['docs/**', ['docs/a.png', 'docs/a/b/c.md', 'docs/.nojekyll'], ['docs', 'mydocs/a.md', 'lib/docs/a.md', 'Docs/a.md']],
    ['LICENSE', ['LICENSE'], ['LICENSE.md', 'sub/LICENSE', 'LICENSEX', 'license']],
    ['*.md', ['README.md', '.md', 'CHANGELOG.md'], ['docs/README.md', 'README.mdx']],
    ['docs/*', ['docs/a.md', 'docs/.x'], ['docs/a/b.md', 'docs', 'docsa']],
    ['**', ['README.md', 'a/b/c'], []],
    ['lib/**/test/*.ts', ['lib/test/a.ts', 'lib/x/y/test/a.ts'], ['lib/test/sub/a.ts', 'libtest/a.ts']],
    ['doc?.md', ['docs.md', 'doc1.md'], ['doc.md', 'doc/.md', 'docss.md']],
    ['*.{md,txt}', ['a.md', 'b.txt'], ['c.rst', 'd/a.md', 'a.mdtxt']],
    ['[abc].md', ['a.md', 'c.md'], ['d.md', '/.md', 'ab.md']],
    ['[!abc].md', ['d.md', 'Z.md'], ['a.md', '/.md']],
    ['v[0-9].txt', ['v1.txt', 'v9.txt'], ['va.txt', 'v10.txt']],
    ['a[-_]b', ['a-b', 'a_b'], ['a.b']],
    ['file\\*.md', ['file*.md'], ['file1.md']],
    ['a.b+(c)$^|', ['a.b+(c)$^|'], ['aXb+(c)$^|', 'a.bb(c)']],
    ['**/CODEOWNERS', ['CODEOWNERS', '.github/CODEOWNERS'], ['xCODEOWNERS', '.github/CODEOWNERS.md']],
    ['docs/**/*.png', ['docs/a.png', 'docs/x/y/a.png'], ['a.png', 'docs/a.md']],
  ])('%s', (glob, yes, no) => {
    for (const path of yes) expect([path, matches(glob, path)]).toEqual([path, true]);
    for (const path of no) expect([path, matches(glob, path)]).toEqual([path, false]);
  });

  test.each([
    ['[abc', /the '\[' at position 0 is never closed/],
    ['docs/{a,b', /the '\{' at position 5 is never closed/],
    ['{a,{b,c}}', /groups cannot be nested \(position 3\)/],
    ['docs\\', /ends with an escaping \\/],
  ])('GIVEN the invalid glob %s THEN throws naming it and the problem', (glob, problem) => {
    expect(() => globToRegExp(glob)).toThrow(InvalidGlobError);
    expect(() => globToRegExp(glob)).toThrow(problem);
    expect(() => globToRegExp(glob)).toThrow(`path glob ${JSON.stringify(glob)} is invalid`);
  });
});

describe('compileGlobs', () => {
  test('a path matches when any glob matches it; no globs match nothing', () => {
    const docs = compileGlobs(['**/*.md', 'docs/**', 'LICENSE']);
    expect(docs.globs).toEqual(['**/*.md', 'docs/**', 'LICENSE']);
    expect(['README.md', 'docs/diagram.png', 'LICENSE', 'lib/a/NOTES.md'].every(docs.matches)).toBe(true);
    expect(['lib/app.ts', 'LICENSE.txt', 'package.json'].some(docs.matches)).toBe(false);
    expect(compileGlobs([]).matches('README.md')).toBe(false);
  });
});
