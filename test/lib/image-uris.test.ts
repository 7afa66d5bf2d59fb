import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  frameworkImageRepositoryArn,
  frameworkImageUri,
  imageUriForRegion,
  IMAGE_REGISTRY_ACCOUNTS,
} from '../../lib/image-uris';
import { createTestApp } from '../helpers/app';

describe('image URIs', () => {
  test('a known region gives the literal URI of each image', () => {
    expect(imageUriForRegion('xgboost', 'us-east-1')).toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(imageUriForRegion('sklearn', 'eu-west-1'))
      .toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3');
  });

  test('China regions use the amazonaws.com.cn domain', () => {
    expect(imageUriForRegion('xgboost', 'cn-north-1')).toBe('450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1');
  });

  test('an unknown region fails with the supported regions', () => {
    expect(() => imageUriForRegion('xgboost', 'xx-nowhere-1')).toThrow(
      /No sagemaker-xgboost:1\.7-1 image is known for region 'xx-nowhere-1'\. Supported regions: af-south-1, .*us-west-2\./,
    );
  });

  test('a region only one image supports is rejected for the other', () => {
    expect(imageUriForRegion('xgboost', 'il-central-1')).toMatch(/^898809789911\./);
    expect(() => imageUriForRegion('sklearn', 'il-central-1')).toThrow(/sagemaker-scikit-learn:1\.2-1-cpu-py3 .* 'il-central-1'/);
  });

  test('a stack with a concrete region gets a literal URI and no mapping', () => {
    const stack = new Stack(createTestApp(), 'S', { env: { account: '111111111111', region: 'us-west-2' } });
    expect(frameworkImageUri(stack, 'sklearn')).toBe('246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3');
    expect(stack.resolve(frameworkImageRepositoryArn(stack, 'xgboost')))
      .toBe('arn:aws:ecr:us-west-2:246618743249:repository/sagemaker-xgboost');
    expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
  });

  test('a stack in an unknown concrete region fails at synth', () => {
    const stack = new Stack(createTestApp(), 'S', { env: { region: 'xx-nowhere-1' } });
    expect(() => frameworkImageUri(stack, 'xgboost')).toThrow(/region 'xx-nowhere-1'/);
  });

  test('a stack whose region is a token looks the account up in one CfnMapping', () => {
    const stack = new Stack(createTestApp(), 'S');
    const xgboost = stack.resolve(frameworkImageUri(stack, 'xgboost'));
    const sklearn = stack.resolve(frameworkImageUri(stack, 'sklearn'));
    expect(xgboost).toEqual({
      'Fn::Join': ['', [
        { 'Fn::FindInMap': ['SageMakerImageRegistryAccounts', { Ref: 'AWS::Region' }, 'xgboost'] },
        '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/sagemaker-xgboost:1.7-1',
      ]],
    });
    expect(JSON.stringify(sklearn)).toContain('"Fn::FindInMap":["SageMakerImageRegistryAccounts",{"Ref":"AWS::Region"},"sklearn"]');

    const mappings = Template.fromStack(stack).toJSON().Mappings.SageMakerImageRegistryAccounts;
    expect(mappings['us-east-1']).toEqual({ xgboost: '683313688378', sklearn: '683313688378' });
    expect(mappings['il-central-1']).toEqual({ xgboost: '898809789911' });
    expect(Object.keys(mappings)).toHaveLength(Object.keys(IMAGE_REGISTRY_ACCOUNTS.xgboost).length);
  });
});
