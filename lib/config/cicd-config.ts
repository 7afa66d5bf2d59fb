import { DEFAULT_STAGE_CONFIGS } from './stages';
import { STAGE_NAMES, type StageName } from './stage-config';
import { isConcrete } from './checks';

/** A CodeCommit repository: created by the app, or an existing one imported by name. */
export interface CodeCommitSourceConfig {
  readonly kind: 'codecommit';
  /** The repository's name (1-100 characters: letters, digits, `.`, `_`, `-`). */
  readonly repositoryName: string;
  /** True: the pipeline stack creates the repository (retained on delete); false: it must exist already. */
  readonly create: boolean;
}

/** The providers a CodeConnections source may be hosted on. */
export const CONNECTION_PROVIDERS = ['github', 'gitlab', 'bitbucket'] as const;
/** Where a CodeConnections repository is hosted. */
export type ConnectionProvider = (typeof CONNECTION_PROVIDERS)[number];

/** A GitHub, GitLab or Bitbucket repository reached through an AWS CodeConnections connection. */
export interface ConnectionSourceConfig {
  readonly kind: 'connection';
  /** ARN of the connection (`arn:aws:codeconnections:<region>:<account>:connection/<id>`, or codestar-connections). */
  readonly connectionArn: string;
  /** The repository as `owner/name`. */
  readonly repository: string;
  /**
   * Where the repository is hosted. Only GitHub gets the pull-request review (a CodeBuild webhook project that
   * comments with the cdk diff); GitLab and Bitbucket repositories are built and deployed, without a review.
   * @default 'github'
   */
  readonly provider?: ConnectionProvider;
}

/** Where the pipeline takes the code from. */
export type CicdSourceConfig = CodeCommitSourceConfig | ConnectionSourceConfig;

/** Per environment: whether the pipeline starts the training pipeline after deploying it. */
export type RetrainAfterDeployConfig = Readonly<Record<StageName, boolean>>;

/** The CI/CD pipeline (CDK Pipelines) that tests, deploys dev → staging → prod, and retrains on push. */
export interface CicdConfig {
  /** Where the code comes from. */
  readonly source: CicdSourceConfig;
  /** The branch that is built and deployed. */
  readonly branch: string;
  /** Account of the pipeline stack (cross-account stages need `cdk bootstrap --trust <this account>`). */
  readonly pipelineAccount: string;
  /** Region of the pipeline stack. */
  readonly pipelineRegion: string;
  /** Start each environment's training pipeline after it is deployed. */
  readonly retrainAfterDeploy: RetrainAfterDeployConfig;
  /** The retraining step waits for the training pipeline's outcome (and fails the pipeline when training fails). */
  readonly waitForTraining: boolean;
  /**
   * Path globs whose changes alone do not start the pipeline (so do not retrain). A connection source applies them
   * as the V2 trigger's `filePathsExcludes` (at most 8); a CodeCommit source through the start-on-change function,
   * which compares each push's files with them.
   */
  readonly docsOnlyPaths: readonly string[];
  /** Build custom training and inference images from `containers/` (otherwise the managed framework images). */
  readonly customImages: boolean;
  /**
   * Name of the Secrets Manager secret holding the token the pull-request review posts its GitHub comment with (a
   * connection source on GitHub only; the secret is not created by the app). The token needs write access to the
   * repository's pull requests or issues, nothing else.
   */
  readonly reviewTokenSecretName: string;
}

/** Overrides of the CI/CD config (from context in `bin/`): any field may be left out. */
export type CicdConfigOverrides = {
  readonly [K in keyof CicdConfig]?: K extends 'retrainAfterDeploy' ? Partial<RetrainAfterDeployConfig> : CicdConfig[K];
};

/** The defaults: a CodeCommit repository created by the app, `main`, in the dev stage's account and region. */
export const DEFAULT_CICD_CONFIG: CicdConfig = {
  source: { kind: 'codecommit', repositoryName: 'mlops-platform', create: true },
  branch: 'main',
  pipelineAccount: DEFAULT_STAGE_CONFIGS.dev.account,
  pipelineRegion: DEFAULT_STAGE_CONFIGS.dev.region,
  // Production retrains on its own schedule and data, not on every push.
  retrainAfterDeploy: { dev: true, staging: true, prod: false },
  waitForTraining: false,
  docsOnlyPaths: ['**/*.md', 'docs/**'],
  customImages: false,
  reviewTokenSecretName: 'mlops-platform/github-token',
};

/** One invalid value of the CI/CD config. */
export interface CicdConfigIssue {
  /** Path of the setting, e.g. `source.connectionArn`. */
  readonly path: string;
  /** The bad value. */
  readonly value: unknown;
  /** What is allowed. */
  readonly expected: string;
  /** `<path> is <value>: <expected>` */
  readonly message: string;
}

/** Thrown when the CI/CD configuration is invalid; lists every problem found. */
export class CicdConfigError extends Error {
  /** The messages of `issues`. */
  public readonly problems: string[];

  constructor(public readonly issues: readonly CicdConfigIssue[]) {
    super(`Invalid CI/CD pipeline configuration:\n${issues.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'CicdConfigError';
    this.problems = issues.map((i) => i.message);
  }
}

/**
 * The CI/CD configuration: the defaults with `overrides` merged in (the pipeline's account and region default to
 * the dev stage's, `devAccount`/`devRegion` included when given), validated.
 *
 * @throws CicdConfigError listing every invalid value.
 */
export function loadCicdConfig(
  overrides: CicdConfigOverrides = {},
  defaults: Partial<Pick<CicdConfig, 'pipelineAccount' | 'pipelineRegion'>> = {},
): CicdConfig {
  const defined = <T extends object>(value: T): Partial<T> =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  const config: CicdConfig = {
    ...DEFAULT_CICD_CONFIG,
    ...defined(defaults),
    ...defined(overrides),
    retrainAfterDeploy: { ...DEFAULT_CICD_CONFIG.retrainAfterDeploy, ...defined(overrides.retrainAfterDeploy ?? {}) },
  } as CicdConfig;
  const issues = cicdConfigIssues(config);
  if (issues.length > 0) throw new CicdConfigError(issues);
  return config;
}

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const REPOSITORY_NAME_PATTERN = /^[\w.-]{1,100}$/;
const OWNER_REPO_PATTERN = /^[\w.-]+\/[\w.-]+$/;
// Secrets Manager's rule for secret names: 1-512 of letters, digits and /_+=.@-
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const CONNECTION_ARN_PATTERN = /^arn:aws[\w-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/;
// Git's ref-name rules, enough to catch typos: no spaces, `..`, `~^:?*[\`, leading `-` or `/`, trailing `/` or `.lock`.
const BRANCH_PATTERN = /^(?!-|\/)(?!.*(\.\.|\/\/|@\{))[^\s~^:?*[\\]+(?<!\/|\.lock)$/;
/** CodePipeline's limit on a trigger's file path patterns. */
const MAX_TRIGGER_PATHS = 8;

/** Every problem with `config`: the path, the bad value and what to do. */
export function cicdConfigIssues(config: CicdConfig): CicdConfigIssue[] {
  const issues: CicdConfigIssue[] = [];
  const fail = (path: string, value: unknown, expected: string): void => {
    issues.push({ path, value, expected, message: `${path} is ${JSON.stringify(value)}: ${expected}` });
  };
  const source = config.source as Partial<CodeCommitSourceConfig> & Partial<ConnectionSourceConfig> & { kind?: unknown };
  if (typeof source !== 'object' || source === null) {
    fail('source', source, 'expected { kind: "codecommit", repositoryName, create } or { kind: "connection", connectionArn, repository }');
  } else if (source.kind === 'codecommit') {
    if (typeof source.repositoryName !== 'string' || !REPOSITORY_NAME_PATTERN.test(source.repositoryName)) {
      fail('source.repositoryName', source.repositoryName, 'expected a CodeCommit repository name of 1-100 letters, digits, ".", "_" or "-"');
    }
    if (typeof source.create !== 'boolean') {
      fail('source.create', source.create, 'expected true (the app creates the repository) or false (import an existing one by name)');
    }
  } else if (source.kind === 'connection') {
    if (isConcrete(source.connectionArn)
      && (typeof source.connectionArn !== 'string' || !CONNECTION_ARN_PATTERN.test(source.connectionArn))) {
      fail('source.connectionArn', source.connectionArn,
        'expected a connection ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/<id> (create one in the console under Developer Tools > Connections)');
    }
    if (typeof source.repository !== 'string' || !OWNER_REPO_PATTERN.test(source.repository)) {
      fail('source.repository', source.repository, 'expected the repository as "owner/name", e.g. my-org/mlops-platform');
    }
    if (source.provider !== undefined && !(CONNECTION_PROVIDERS as readonly unknown[]).includes(source.provider)) {
      fail('source.provider', source.provider,
        `expected one of ${CONNECTION_PROVIDERS.join(', ')} (where the connection's repository is hosted; leave it out for github)`);
    }
  } else {
    fail('source.kind', source.kind, 'expected "codecommit" or "connection"');
  }

  if (typeof config.branch !== 'string' || !BRANCH_PATTERN.test(config.branch)) {
    fail('branch', config.branch, 'expected a Git branch name such as main');
  }
  if (isConcrete(config.pipelineAccount) && !ACCOUNT_PATTERN.test(String(config.pipelineAccount))) {
    fail('pipelineAccount', config.pipelineAccount, 'expected a 12-digit AWS account id, e.g. 123456789012');
  }
  if (isConcrete(config.pipelineRegion) && !REGION_PATTERN.test(String(config.pipelineRegion))) {
    fail('pipelineRegion', config.pipelineRegion, 'expected an AWS region such as us-east-1 or eu-west-1');
  }
  const retrain = config.retrainAfterDeploy as Record<string, unknown>;
  for (const key of Object.keys(retrain)) {
    if (!(STAGE_NAMES as readonly string[]).includes(key)) {
      fail(`retrainAfterDeploy.${key}`, retrain[key], `unknown stage; expected keys ${STAGE_NAMES.join(', ')}`);
    } else if (typeof retrain[key] !== 'boolean') {
      fail(`retrainAfterDeploy.${key}`, retrain[key], 'expected true or false');
    }
  }
  if (typeof config.waitForTraining !== 'boolean') {
    fail('waitForTraining', config.waitForTraining, 'expected true or false');
  }
  const paths: unknown = config.docsOnlyPaths;
  if (!Array.isArray(paths) || paths.length > MAX_TRIGGER_PATHS) {
    fail('docsOnlyPaths', paths, `expected a list of at most ${MAX_TRIGGER_PATHS} path globs (CodePipeline's trigger limit), e.g. ["**/*.md", "docs/**"]`);
  } else {
    paths.forEach((glob: unknown, i) => {
      if (typeof glob !== 'string' || glob.trim() === '' || glob.length > 255 || glob.startsWith('/')) {
        fail(`docsOnlyPaths[${i}]`, glob, 'expected a non-empty glob of at most 255 characters relative to the repository root, e.g. docs/**');
      }
    });
  }
  if (typeof config.customImages !== 'boolean') {
    fail('customImages', config.customImages, 'expected true or false');
  }
  if (typeof config.reviewTokenSecretName !== 'string' || !SECRET_NAME_PATTERN.test(config.reviewTokenSecretName)) {
    fail('reviewTokenSecretName', config.reviewTokenSecretName,
      'expected a Secrets Manager secret name of 1-512 letters, digits and /_+=.@- characters, e.g. mlops-platform/github-token');
  }
  return issues;
}
