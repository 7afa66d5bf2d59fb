import { PipelineDefinitionError } from '../../../local/executor';
import { prepareDefinition } from '../../../local/executor/validate';
import { fixturePipeline } from './helpers';

// The shared validator finds nearly everything the executor's own checks find, so a case where the two disagree is
// made by standing in for it.
const mockSharedIssues: { path: string; message: string }[] = [];
jest.mock('../../../lib/sagemaker-pipelines', () => ({
  ...jest.requireActual('../../../lib/sagemaker-pipelines'),
  validatePipelineDefinition: () => mockSharedIssues,
}));

function problemsOf(definition: unknown): string[] {
  try {
    prepareDefinition(definition as Parameters<typeof prepareDefinition>[0]);
  } catch (err) {
    if (err instanceof PipelineDefinitionError) return err.problems;
    throw err;
  }
  return [];
}

describe('definition problems', () => {
  beforeEach(() => mockSharedIssues.splice(0));

  test("the executor's own problems are reported next to the shared validator's", () => {
    const definition = fixturePipeline();
    (definition.Steps[2] as { DependsOn?: string[] }).DependsOn = ['Nowhere'];
    mockSharedIssues.push({ path: 'Parameters[Threshold]', message: 'something about Threshold' });
    expect(problemsOf(definition)).toEqual([
      'Parameters[Threshold]: something about Threshold',
      'step "Evaluate" DependsOn unknown step "Nowhere"',
    ]);
  });

  test('a problem about a step the shared validator already reports on is not repeated in other words', () => {
    const definition = fixturePipeline();
    (definition.Steps[2] as { DependsOn?: string[] }).DependsOn = ['Nowhere'];
    mockSharedIssues.push({ path: 'Steps[Evaluate].DependsOn[0]', message: 'DependsOn "Nowhere" refers to a missing step' });
    expect(problemsOf(definition)).toEqual(['Steps[Evaluate].DependsOn[0]: DependsOn "Nowhere" refers to a missing step']);
  });

  test('without shared issues, the executor reports its own', () => {
    const definition = fixturePipeline();
    (definition.Steps[2] as { DependsOn?: string[] }).DependsOn = ['Nowhere'];
    expect(problemsOf(definition)).toEqual(['step "Evaluate" DependsOn unknown step "Nowhere"']);
  });
});
