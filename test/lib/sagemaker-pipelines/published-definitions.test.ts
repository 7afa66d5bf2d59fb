import * as fs from 'fs';
import * as path from 'path';
import { STEP_TYPE_NAMES, validatePipelineDefinition } from '../../../lib/sagemaker-pipelines';
import { PipelineDefinitionError, prepareDefinition, type PipelineDefinitionJson } from '../../../local/executor';

/**
 * Definitions that others published and SageMaker ran (notebook outputs, the SDK's tests), kept verbatim in
 * fixtures/published/ with their source in index.json. The validator must accept every one: it never rejects what
 * SageMaker accepts.
 */
interface PublishedFixture {
  readonly file: string;
  readonly source: string;
  readonly executed: boolean;
  readonly stepTypes: readonly string[];
  /** Steps that are the SDK tests' stand-ins (a Training step with no real job), not real steps. */
  readonly stubSteps?: readonly string[];
  /** What local mode says of the definition: the codes of its issues, none when it runs it. */
  readonly localIssueCodes?: readonly string[];
}

const DIR = path.join(__dirname, 'fixtures', 'published');
const FIXTURES: PublishedFixture[] = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
const load = (fixture: PublishedFixture): PipelineDefinitionJson => JSON.parse(fs.readFileSync(path.join(DIR, fixture.file), 'utf8'));

describe('published pipeline definitions', () => {
  test('at least ten of them were executed by SageMaker, and between them they use every step type', () => {
    expect(FIXTURES.filter((f) => f.executed).length).toBeGreaterThanOrEqual(10);
    const used = new Set(FIXTURES.flatMap((f) => f.stepTypes));
    expect([...STEP_TYPE_NAMES].filter((type) => !used.has(type))).toEqual([]);
    for (const fixture of FIXTURES) expect(fs.existsSync(path.join(DIR, fixture.file))).toBe(true);
  });

  test.each(FIXTURES.filter((f) => f.stubSteps === undefined).map((f) => [f.file, f] as const))(
    '%s passes the shared validator',
    (_, fixture) => {
      expect(validatePipelineDefinition(load(fixture))).toEqual([]);
    },
  );

  test.each(FIXTURES.filter((f) => f.stubSteps !== undefined).map((f) => [f.file, f] as const))(
    '%s is accepted but for the missing job arguments of its SDK test stand-in steps',
    (_, fixture) => {
      const issues = validatePipelineDefinition(load(fixture));
      const stubPaths = fixture.stubSteps!.map((name) => `Steps[${name}].Arguments.`);
      expect(issues.filter((i) => i.code !== 'missing-argument' || !stubPaths.some((p) => i.path.startsWith(p)))).toEqual([]);
    },
  );

  test.each(FIXTURES.filter((f) => f.localIssueCodes !== undefined).map((f) => [f.file, f] as const))(
    'local mode says of %s what it cannot run, by name, before anything runs',
    (_, fixture) => {
      const definition = load(fixture);
      let issues: PipelineDefinitionError['issues'] = [];
      try {
        prepareDefinition(definition);
      } catch (error) {
        if (!(error instanceof PipelineDefinitionError)) throw error;
        issues = error.issues;
      }
      expect([...new Set(issues.map((i) => i.code))].sort()).toEqual(fixture.localIssueCodes);
      // Each unsupported step type is named with its step.
      for (const issue of issues.filter((i) => i.code === 'unsupported-step-type')) {
        const step = /^Steps\[([^\]]+)\]/.exec(issue.path)![1];
        expect(issue.message).toContain(`step "${step}" has Type`);
      }
    },
  );
});
