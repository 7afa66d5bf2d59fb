import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_LOCAL_ENVIRONMENT, type LocalEnvironment } from '../stage/environment';

export type ModelApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

export const MODEL_APPROVAL_STATUSES: readonly ModelApprovalStatus[] = ['Approved', 'Rejected', 'PendingManualApproval'];

export interface ModelPackageContainer {
  readonly Image: string;
  readonly ModelDataUrl?: string;
  readonly Environment?: Record<string, string>;
  readonly [key: string]: unknown;
}

export interface InferenceSpecification {
  readonly Containers: ModelPackageContainer[];
  readonly SupportedContentTypes?: string[];
  readonly SupportedResponseMIMETypes?: string[];
  readonly SupportedRealtimeInferenceInstanceTypes?: string[];
  readonly SupportedTransformInstanceTypes?: string[];
}

/** The CreateModelPackage request fields the local registry keeps. */
export interface CreateModelPackageRequest {
  readonly ModelPackageGroupName: string;
  /** @default 'PendingManualApproval' */
  readonly ModelApprovalStatus?: ModelApprovalStatus;
  readonly ModelPackageDescription?: string;
  readonly InferenceSpecification?: InferenceSpecification;
  readonly ModelMetrics?: Record<string, unknown>;
  readonly CustomerMetadataProperties?: Record<string, string>;
  readonly [key: string]: unknown;
}

export interface CreateModelPackageExtras {
  /** Parsed content of the ModelQuality statistics file (e.g. `evaluation.json`). */
  readonly metrics?: unknown;
  /** The pipeline execution that registered the package (DescribeModelPackage `MetadataProperties.GeneratedBy`). */
  readonly generatedBy?: string;
}

/** DescribeModelPackage-shaped record, plus the parsed metrics. */
export interface ModelPackage {
  readonly ModelPackageGroupName: string;
  readonly ModelPackageVersion: number;
  readonly ModelPackageArn: string;
  readonly ModelPackageName: string;
  readonly ModelPackageStatus: 'Completed';
  readonly ModelApprovalStatus: ModelApprovalStatus;
  readonly ApprovalDescription?: string;
  readonly ModelPackageDescription?: string;
  readonly CreationTime: string;
  readonly LastModifiedTime: string;
  readonly InferenceSpecification?: InferenceSpecification;
  readonly ModelMetrics?: Record<string, unknown>;
  readonly CustomerMetadataProperties?: Record<string, string>;
  readonly MetadataProperties?: { readonly GeneratedBy?: string };
  /** The statistics file's JSON, read when the package was registered. */
  readonly Metrics?: unknown;
}

export interface LocalModelRegistryProps {
  /**
   * Folder holding one sub-folder per model package group, one JSON file per version.
   * @default - `<repo>/.local/registry`
   */
  readonly root?: string;
  /**
   * Account and region of the model package ARNs (the stage's).
   * @default DEFAULT_LOCAL_ENVIRONMENT
   */
  readonly environment?: LocalEnvironment;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ARN = /^arn:aws:sagemaker:([a-z0-9-]+):(\d{12}):model-package\/([^/]+)\/(\d+)$/;

/** ARN of a local model package version. */
export function modelPackageArn(group: string, version: number, environment: LocalEnvironment = DEFAULT_LOCAL_ENVIRONMENT): string {
  return `arn:aws:sagemaker:${environment.region}:${environment.account}:model-package/${group}/${version}`;
}

/** Splits a model package ARN into group and version; throws naming the value when it is not one. */
export function parseModelPackageArn(arn: string): { group: string; version: number } {
  const match = ARN.exec(arn);
  if (!match) {
    throw new Error(
      `"${arn}" is not a model package ARN: expected arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>`,
    );
  }
  return { group: match[3], version: Number(match[4]) };
}

function checkStatus(status: unknown): ModelApprovalStatus {
  if (!MODEL_APPROVAL_STATUSES.includes(status as ModelApprovalStatus)) {
    throw new Error(
      `Invalid ModelApprovalStatus ${JSON.stringify(status)}: use one of ${MODEL_APPROVAL_STATUSES.join(', ')}`,
    );
  }
  return status as ModelApprovalStatus;
}

/** A SageMaker Model Registry kept as JSON files: `<root>/<group>/<version>.json`. */
export class LocalModelRegistry {
  readonly root: string;
  /** Account and region of the ARNs this registry hands out. */
  readonly environment: LocalEnvironment;

  constructor(props: LocalModelRegistryProps = {}) {
    this.root = path.resolve(props.root ?? path.join(REPO_ROOT, '.local', 'registry'));
    this.environment = props.environment ?? DEFAULT_LOCAL_ENVIRONMENT;
  }

  /** Registers a new version (1, 2, ...) in the group, creating the group on first use. */
  createModelPackage(request: CreateModelPackageRequest, extras: CreateModelPackageExtras = {}): ModelPackage {
    const group = request.ModelPackageGroupName;
    if (typeof group !== 'string' || !GROUP_NAME.test(group)) {
      throw new Error(
        `Invalid ModelPackageGroupName ${JSON.stringify(group)}: use 1-63 letters, digits and hyphens, ` +
          'starting and ending with a letter or digit',
      );
    }
    const status = checkStatus(request.ModelApprovalStatus ?? 'PendingManualApproval');
    const containers = request.InferenceSpecification?.Containers;
    if (request.InferenceSpecification && (!Array.isArray(containers) || containers.length === 0)) {
      throw new Error(`Model package for group "${group}" needs InferenceSpecification.Containers with at least one container`);
    }
    const groupDir = path.join(this.root, group);
    fs.mkdirSync(groupDir, { recursive: true });
    const now = new Date().toISOString();
    // Each version file appears complete: the record is written to a temporary file in the same folder, then linked
    // to `<version>.json`, which fails if that version exists (so concurrent registrations never share a number).
    const tmp = path.join(groupDir, `.new.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    try {
      for (let version = this.maxVersion(group) + 1; ; version++) {
        const record = this.newRecord(request, extras, group, version, status, now);
        fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
        try {
          fs.linkSync(tmp, path.join(groupDir, `${version}.json`));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw err;
        }
        return record;
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  private newRecord(
    request: CreateModelPackageRequest,
    extras: CreateModelPackageExtras,
    group: string,
    version: number,
    status: ModelApprovalStatus,
    now: string,
  ): ModelPackage {
    return {
      ModelPackageGroupName: group,
      ModelPackageVersion: version,
      ModelPackageArn: modelPackageArn(group, version, this.environment),
      // A version of a group is named after its group (DescribeModelPackage; names take no "/").
      ModelPackageName: group,
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: status,
      ...(request.ModelPackageDescription !== undefined ? { ModelPackageDescription: request.ModelPackageDescription } : {}),
      CreationTime: now,
      LastModifiedTime: now,
      ...(request.InferenceSpecification ? { InferenceSpecification: request.InferenceSpecification } : {}),
      ...(request.ModelMetrics ? { ModelMetrics: request.ModelMetrics } : {}),
      ...(request.CustomerMetadataProperties ? { CustomerMetadataProperties: request.CustomerMetadataProperties } : {}),
      ...(extras.generatedBy ? { MetadataProperties: { GeneratedBy: extras.generatedBy } } : {}),
      ...(extras.metrics !== undefined ? { Metrics: extras.metrics } : {}),
    };
  }

  /** Reads one version by ARN; throws naming the ARN when it is not registered. */
  describeModelPackage(arn: string): ModelPackage {
    const { group, version } = parseModelPackageArn(arn);
    const file = path.join(this.root, group, `${version}.json`);
    if (!fs.existsSync(file)) {
      throw new Error(
        `Model package ${arn} is not in the local registry (${this.root}); ` +
          `list the group's versions with listModelPackages("${group}") or register the model first`,
      );
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelPackage;
  }

  /** Versions of a group, oldest first; empty when the group does not exist. */
  listModelPackages(group: string, filter: { approvalStatus?: ModelApprovalStatus } = {}): ModelPackage[] {
    const dir = path.join(this.root, group);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((name) => /^\d+\.json$/.test(name))
      .map((name) => Number(name.slice(0, -'.json'.length)))
      .sort((a, b) => a - b)
      .map((version) => this.describeModelPackage(modelPackageArn(group, version, this.environment)))
      .filter((p) => filter.approvalStatus === undefined || p.ModelApprovalStatus === filter.approvalStatus);
  }

  /** Names of all model package groups, sorted. */
  listModelPackageGroups(): string[] {
    if (!fs.existsSync(this.root)) return [];
    return fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  }

  /** Sets a version's approval status (UpdateModelPackage). */
  updateApprovalStatus(arn: string, status: ModelApprovalStatus, approvalDescription?: string): ModelPackage {
    checkStatus(status);
    const current = this.describeModelPackage(arn);
    const { group, version } = parseModelPackageArn(arn);
    const updated: ModelPackage = {
      ...current,
      ModelApprovalStatus: status,
      LastModifiedTime: new Date().toISOString(),
      ...(approvalDescription !== undefined ? { ApprovalDescription: approvalDescription } : {}),
    };
    const file = path.join(this.root, group, `${version}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(updated, null, 2)}\n`);
    fs.renameSync(tmp, file);
    return updated;
  }

  /** The newest Approved version of a group, if any. */
  latestApproved(group: string): ModelPackage | undefined {
    const approved = this.listModelPackages(group, { approvalStatus: 'Approved' });
    return approved[approved.length - 1];
  }

  private maxVersion(group: string): number {
    const dir = path.join(this.root, group);
    if (!fs.existsSync(dir)) return 0;
    let max = 0;
    for (const name of fs.readdirSync(dir)) {
      const m = /^(\d+)\.json$/.exec(name);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }
}
