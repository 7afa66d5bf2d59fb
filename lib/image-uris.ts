import { Aws, CfnMapping, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** The managed SageMaker framework images this platform runs its scripts in. */
export type FrameworkImage = 'xgboost' | 'sklearn';

/** Repository and tag of each framework image (script mode; versions match requirements.txt). */
export const FRAMEWORK_IMAGES: Readonly<Record<FrameworkImage, { readonly repository: string; readonly tag: string }>> = {
  xgboost: { repository: 'sagemaker-xgboost', tag: '1.7-1' },
  sklearn: { repository: 'sagemaker-scikit-learn', tag: '1.2-1-cpu-py3' },
};

// ECR registry accounts of SageMaker's framework images (the SageMaker Python SDK's image_uri_config lists
// them: xgboost.json 1.7-1 and sklearn.json 1.2-1). Both images share these accounts.
const SHARED_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** Region → ECR registry account of each framework image. */
export const IMAGE_REGISTRY_ACCOUNTS: Readonly<Record<FrameworkImage, Readonly<Record<string, string>>>> = {
  xgboost: { ...SHARED_REGISTRY_ACCOUNTS, 'ca-west-1': '190319476487', 'il-central-1': '898809789911' },
  sklearn: SHARED_REGISTRY_ACCOUNTS,
};

/** The account that hosts `image` in `region`; throws, listing the supported regions, when there is none. */
export function imageRegistryAccount(image: FrameworkImage, region: string): string {
  const account = IMAGE_REGISTRY_ACCOUNTS[image][region];
  if (account === undefined) {
    const { repository, tag } = FRAMEWORK_IMAGES[image];
    throw new Error(
      `No ${repository}:${tag} image is known for region '${region}'. Supported regions: `
        + `${Object.keys(IMAGE_REGISTRY_ACCOUNTS[image]).sort().join(', ')}. `
        + 'Deploy to one of them, or add the region\'s registry account to lib/image-uris.ts.',
    );
  }
  return account;
}

/** URI of an image in a private ECR registry: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:<tag>]`. */
export function ecrImageUri(account: string, region: string, repository: string, tag?: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}/${repository}${tag === undefined ? '' : `:${tag}`}`;
}

/** URI of a framework image in a concrete region, e.g. `683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`. */
export function imageUriForRegion(image: FrameworkImage, region: string): string {
  const { repository, tag } = FRAMEWORK_IMAGES[image];
  return ecrImageUri(imageRegistryAccount(image, region), region, repository, tag);
}

const MAPPING_ID = 'SageMakerImageRegistryAccounts';

/**
 * URI of a framework image for the stack of `scope`. A concrete region gives a literal URI (unknown regions
 * fail at synth); an environment-agnostic stack gets a CfnMapping of all regions and `Fn::FindInMap`.
 */
export function frameworkImageUri(scope: Construct, image: FrameworkImage): string {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) {
    return imageUriForRegion(image, stack.region);
  }
  const { repository, tag } = FRAMEWORK_IMAGES[image];
  const account = registryAccountMapping(stack).findInMap(Aws.REGION, image);
  return Fn.join('', [account, '.dkr.ecr.', Aws.REGION, '.', Aws.URL_SUFFIX, `/${repository}:${tag}`]);
}

/**
 * ECR repository ARNs of the framework images in the stack's region, for pull permissions.
 */
export function frameworkImageRepositoryArn(scope: Construct, image: FrameworkImage): string {
  const stack = Stack.of(scope);
  const { repository } = FRAMEWORK_IMAGES[image];
  const account = Token.isUnresolved(stack.region)
    ? registryAccountMapping(stack).findInMap(Aws.REGION, image)
    : imageRegistryAccount(image, stack.region);
  return stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: repository });
}

function registryAccountMapping(stack: Stack): CfnMapping {
  const existing = stack.node.tryFindChild(MAPPING_ID);
  if (existing instanceof CfnMapping) return existing;
  const regions = [...new Set(Object.values(IMAGE_REGISTRY_ACCOUNTS).flatMap((accounts) => Object.keys(accounts)))].sort();
  const mapping: Record<string, Record<string, string>> = {};
  for (const region of regions) {
    mapping[region] = {};
    for (const image of Object.keys(IMAGE_REGISTRY_ACCOUNTS) as FrameworkImage[]) {
      const account = IMAGE_REGISTRY_ACCOUNTS[image][region];
      if (account !== undefined) mapping[region][image] = account;
    }
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping });
}

// ECR registry accounts of SageMaker Model Monitor's prebuilt analyzer (`sagemaker-model-monitor-analyzer`, as the
// SageMaker Python SDK's image_uri_config/model-monitor.json lists them). The image cannot be pulled; monitoring jobs
// name it.
const MODEL_MONITOR_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};

/** URI of Model Monitor's analyzer image in `region`; throws, listing the supported regions, when there is none. */
export function modelMonitorImageUri(region: string): string {
  const account = MODEL_MONITOR_REGISTRY_ACCOUNTS[region];
  if (account === undefined) {
    throw new Error(
      `No sagemaker-model-monitor-analyzer image is known for region '${region}'. Supported regions: `
        + `${Object.keys(MODEL_MONITOR_REGISTRY_ACCOUNTS).join(', ')}. Deploy production to one of them, or add the `
        + 'region\'s registry account to lib/image-uris.ts.',
    );
  }
  return ecrImageUri(account, region, 'sagemaker-model-monitor-analyzer');
}

/**
 * A private ECR image URI with a tag or digest: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>:<tag>`
 * or `...@sha256:<digest>` (groups: account, region, repository, tag, digest). A custom image must name its version:
 * an untagged URI would mean whatever `latest` is when the job starts.
 */
export const ECR_IMAGE_URI_PATTERN =
  /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\.amazonaws\.com(?:\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))$/;

/** The parts of an ECR image URI, or undefined when `uri` is not one ({@link ECR_IMAGE_URI_PATTERN}). */
export function parseEcrImageUri(uri: string): { account: string; region: string; repository: string; tag?: string; digest?: string } | undefined {
  const match = ECR_IMAGE_URI_PATTERN.exec(uri);
  if (!match) return undefined;
  const [, account, region, repository, tag, digest] = match;
  return { account, region, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** True when `uri` names one of the managed framework images ({@link FRAMEWORK_IMAGES}), in any registry. */
export function isFrameworkImageUri(uri: string): boolean {
  // By repository name only: local mode and tests name the managed images under stand-in registries.
  const repository = /^[^/]+\/([^:@]+)/.exec(uri)?.[1];
  return Object.values(FRAMEWORK_IMAGES).some((image) => image.repository === repository);
}

/**
 * ECR repository ARNs of custom image URIs, for pull permissions. Unresolved URIs (tokens) are skipped: whoever
 * passes a token (an image built in the same deployment) grants the pull with the repository itself.
 */
export function customImageRepositoryArns(scope: Construct, uris: readonly (string | undefined)[]): string[] {
  const stack = Stack.of(scope);
  const arns = uris
    .filter((uri): uri is string => uri !== undefined && !Token.isUnresolved(uri))
    .map((uri) => parseEcrImageUri(uri))
    .filter((parsed) => parsed !== undefined)
    .map(({ account, region, repository }) => stack.formatArn({ service: 'ecr', account, region, resource: 'repository', resourceName: repository }));
  return [...new Set(arns)];
}
