import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SageMakerPipeline } from '../../../lib/constructs/sagemaker-pipeline';
import type { PipelineDefinition } from '../../../lib/sagemaker-pipelines';
import { createTestApp } from '../../helpers/app';

/** A one-step pipeline whose Fail message reads `getPath`. */
function definition(getPath: string): PipelineDefinition {
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [{ Name: 'Threshold', Type: 'Float', DefaultValue: 0.5 }],
    Steps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: { Get: getPath } } }],
  };
}

function stackWith(def: PipelineDefinition) {
  const app = createTestApp();
  const stack = new Stack(app, 'Pipelines', { env: { account: '111111111111', region: 'us-east-1' } });
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') });
  new SageMakerPipeline(stack, 'Pipeline', { pipelineName: 'demo', role, definition: def });
  return { app, stack };
}

describe('SageMakerPipeline', () => {
  test('GIVEN a valid definition WHEN synthesized THEN the resource keeps its construct id as logical id', () => {
    const { stack } = stackWith(definition('Parameters.Threshold'));
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::SageMaker::Pipeline'))).toEqual(['Pipeline']);
    template.hasResourceProperties('AWS::SageMaker::Pipeline', { PipelineName: 'demo' });
  });

  test('GIVEN a definition reading an undeclared parameter WHEN synthesized THEN synth fails with the validator message', () => {
    const { app } = stackWith(definition('Parameters.Treshold'));
    expect(() => app.synth()).toThrow(
      /Pipeline 'demo' has an invalid definition:\n {2}- Steps\[Stop\]\.Arguments\.ErrorMessage\.Get: "Parameters\.Treshold" reads parameter 'Treshold', which is not declared \(parameters: Threshold\)\./,
    );
  });
});
