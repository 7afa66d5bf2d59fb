import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aspects, CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BuildSpec,
  ComputeType,
  type IBuildImage,
  type ISource,
  LinuxBuildImage,
  PipelineProject,
  Project,
  type ProjectProps,
} from 'aws-cdk-lib/aws-codebuild';
import { Repository, RepositoryEncryption, TagMutability, TagStatus } from 'aws-cdk-lib/aws-ecr';
import { AccountPrincipal, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { frameworkImageRepositoryArn, frameworkImageUri } from '../image-uris';
import { acknowledgeGeneratedWildcards } from './nag-acknowledgements';
import { codeBuildWildcardReason } from './private/codebuild-wildcards';

/** The two custom images: `containers/<kind>/Dockerfile`. */
export type CustomImageKind = 'training' | 'inference';

/** Properties of an {@link ImageBuild}. */
export interface ImageBuildProps {
  /**
   * Where the build takes the repository from (e.g. `Source.codeCommit({ repository })`).
   * @default - no source of its own: a `PipelineProject`, run as a CodePipeline action on the pipeline's source artifact
   */
  readonly source?: ISource;

  /**
   * Key that encrypts both image repositories (KMS) and the build's artifacts.
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: IKey;

  /**
   * How many tagged images (one per built commit) each repository keeps; older ones expire.
   * @default 20
   */
  readonly keepTaggedImages?: number;

  /**
   * How long an untagged image (a layer left by a failed push) is kept.
   * @default Duration.days(7)
   */
  readonly untaggedImageExpiry?: Duration;

  /**
   * What happens to the repositories (and their images) when they leave the stack. With DESTROY the images are
   * deleted too (`emptyOnDelete`).
   * @default RemovalPolicy.RETAIN: registered models keep naming these images
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Other accounts whose SageMaker jobs and endpoints pull the images (the stages' accounts, when they are not this
   * one): a repository policy lets them pull, and the key lets them decrypt.
   * @default - only this account
   */
  readonly pullAccounts?: readonly string[];

  /**
   * Build image; the build runs Docker in privileged mode.
   * @default LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: IBuildImage;

  /**
   * Retention of the build logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * Build time limit.
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;

  /**
   * Physical names of the two repositories, for URIs that other environments' configs name literally.
   * @default - generated names
   */
  readonly repositoryNames?: Readonly<Record<CustomImageKind, string>>;
}

/** The files an image is built from: its folder under `containers/` and the requirements file it installs. */
export const IMAGE_BUILD_INPUTS = ['containers', 'requirements-container-xgboost-1.7-1.txt'] as const;

/**
 * A tag that names what the images are built from: a SHA-256 over the files of {@link IMAGE_BUILD_INPUTS} (paths
 * and contents, in sorted order), cut to 16 hex digits. The same sources give the same tag at synth time and in the
 * build, so a stage's config can name the image before it is built, and an unchanged image is not rebuilt.
 */
export function imageContentTag(root: string): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (relative: string): void => {
    const absolute = path.join(root, relative);
    if (!fs.existsSync(absolute)) throw new Error(`imageContentTag: ${absolute} does not exist; the custom images are built from it`);
    if (fs.statSync(absolute).isDirectory()) {
      for (const entry of fs.readdirSync(absolute).sort()) walk(path.posix.join(relative, entry));
    } else {
      files.push(relative);
    }
  };
  IMAGE_BUILD_INPUTS.forEach(walk);
  for (const file of files.sort()) {
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update('\0');
  }
  return `src-${hash.digest('hex').slice(0, 16)}`;
}

/** The command the build runs (also `.ci/run`-style callers): everything else is in the script. */
export const IMAGE_BUILD_COMMANDS = ['bash scripts/ci/build-images.sh'] as const;

/**
 * The custom training and inference images: an ECR repository for each (scan on push, immutable tags, KMS,
 * lifecycle rules) and a privileged CodeBuild project that runs `scripts/ci/build-images.sh` — `docker build` of
 * `containers/training/Dockerfile` and `containers/inference/Dockerfile` on the SageMaker XGBoost 1.7-1 image of the
 * region, tagged with the commit id, pushed to the repositories — and leaves `image-uris.json` as its artifact.
 *
 * A stage uses the images when its config names them (`images.training`, `images.inference`: `imageUri(kind, tag)`).
 */
export class ImageBuild extends Construct {
  /** Repository of the custom training image. */
  public readonly trainingRepository: Repository;
  /** Repository of the custom inference image. */
  public readonly inferenceRepository: Repository;
  /** The CodeBuild project that builds and pushes both images. */
  public readonly project: Project;
  /** The project's log group. */
  public readonly logGroup: LogGroup;
  /** The project's environment variables (repository URIs, base image), for a CodeBuild step that runs the script. */
  public readonly environmentVariables: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ImageBuildProps = {}) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 20;
    if (!Number.isInteger(keep) || keep < 1 || keep > 10_000) {
      throw new Error(`ImageBuild: keepTaggedImages is ${keep}: expected an integer between 1 and 10000.`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey = props.encryptionKey ?? new Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts the custom training and inference images and their build artifacts',
      removalPolicy,
    });

    const repository = (kind: CustomImageKind): Repository => new Repository(this, kind === 'training' ? 'TrainingRepository' : 'InferenceRepository', {
      repositoryName: props.repositoryNames?.[kind],
      imageScanOnPush: true,
      // An image tag is a commit id: a pipeline definition that names it always gets the same image.
      imageTagMutability: TagMutability.IMMUTABLE,
      encryption: RepositoryEncryption.KMS,
      encryptionKey,
      removalPolicy,
      emptyOnDelete: removalPolicy === RemovalPolicy.DESTROY,
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'Expire untagged images (layers of failed pushes)',
          tagStatus: TagStatus.UNTAGGED,
          maxImageAge: props.untaggedImageExpiry ?? Duration.days(7),
        },
        {
          rulePriority: 2,
          description: `Keep the last ${keep} tagged images (one per built commit)`,
          tagStatus: TagStatus.TAGGED,
          tagPatternList: ['*'],
          maxImageCount: keep,
        },
      ],
    });
    this.trainingRepository = repository('training');
    this.inferenceRepository = repository('inference');

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.environmentVariables = {
      BASE_IMAGE_URI: frameworkImageUri(this, 'xgboost'),
      TRAINING_REPOSITORY_URI: this.trainingRepository.repositoryUri,
      INFERENCE_REPOSITORY_URI: this.inferenceRepository.repositoryUri,
    };
    const projectProps: ProjectProps = {
      description: 'Builds the custom training and inference images (containers/) and pushes them to ECR',
      encryptionKey,
      environment: {
        buildImage: props.buildImage ?? LinuxBuildImage.STANDARD_7_0,
        computeType: ComputeType.MEDIUM,
        privileged: true, // docker build
      },
      environmentVariables: Object.fromEntries(Object.entries(this.environmentVariables).map(([k, value]) => [k, { value }])),
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: { build: { commands: [...IMAGE_BUILD_COMMANDS] } },
        artifacts: { files: ['image-uris.json'] },
      }),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      timeout: props.timeout ?? Duration.minutes(60),
    };
    this.project = props.source
      ? new Project(this, 'Project', { ...projectProps, source: props.source })
      : new PipelineProject(this, 'Project', projectProps);
    // (cdk-nag 3's AwsSolutions pack has no privileged-mode rule: privileged mode is needed for docker build.)

    for (const repo of [this.trainingRepository, this.inferenceRepository]) {
      repo.grantPullPush(this.project);
      repo.grant(this.project, 'ecr:DescribeImages'); // skip a tag that is already pushed
    }
    for (const account of props.pullAccounts ?? []) {
      const principal = new AccountPrincipal(account);
      this.trainingRepository.grantPull(principal);
      this.inferenceRepository.grantPull(principal);
      encryptionKey.grantDecrypt(principal);
    }
    this.project.addToRolePolicy(new PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [frameworkImageRepositoryArn(this, 'xgboost')],
    }));

    new CfnOutput(this, 'TrainingImageRepositoryUri', {
      value: this.trainingRepository.repositoryUri,
      description: 'Custom training image repository; the image of a commit is <uri>:<commit id> (config images.training)',
    });
    new CfnOutput(this, 'InferenceImageRepositoryUri', {
      value: this.inferenceRepository.repositoryUri,
      description: 'Custom inference image repository; the image of a commit is <uri>:<commit id> (config images.inference)',
    });

    // Now, and again at synth (an aspect) for what was granted since: a pipeline that runs the project as an
    // action grants it its artifacts later.
    this.acknowledgeFindings();
    Aspects.of(this).add({ visit: (node) => { if (node === this.project) this.acknowledgeFindings(); } });
  }

  /** The IAM5 ids of the project's policy acknowledged so far. */
  private readonly acknowledged = new Set<string>();

  private acknowledgeFindings(): void {
    const policy = this.project.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledgeGeneratedWildcards(policy, (wildcard) => {
      if (wildcard.kind === 'resource' && wildcard.rendered === '*') {
        return 'ecr:GetAuthorizationToken supports no resource-level permissions (docker login to ECR).';
      }
      const reason = codeBuildWildcardReason(wildcard);
      if (reason !== undefined) return reason;
      if (wildcard.kind === 'action' && /^s3:(GetObject|GetBucket|List)\*$/.test(wildcard.rendered)) {
        return 'Reads the source artifact of the pipeline that runs this project as an action (CodeBuildAction\'s grant on its artifact bucket).';
      }
      if (wildcard.kind === 'resource' && /^<[^>]*Artifacts[^>]*\.Arn>\/\*$/.test(wildcard.rendered)) {
        return 'Objects of the artifact bucket of the pipeline that runs this project (one folder per execution).';
      }
      throw new Error(`ImageBuild: unexplained wildcard ${wildcard.kind} '${wildcard.rendered}' in the project's policy.`);
    }, this.acknowledged);
  }

  /** URI of a built image: the repository URI with the commit id as its tag. */
  public imageUri(kind: CustomImageKind, tag: string): string {
    return (kind === 'training' ? this.trainingRepository : this.inferenceRepository).repositoryUriForTag(tag);
  }

  /** Lets `grantee` (e.g. a SageMaker execution role) pull both images. */
  public grantPull(grantee: IGrantable): void {
    this.trainingRepository.grantPull(grantee);
    this.inferenceRepository.grantPull(grantee);
  }
}
