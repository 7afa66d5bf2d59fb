import { ArnFormat, Aws, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  CfnTable,
  CloudWatchEncryption,
  Code,
  Database,
  GlueVersion,
  JobBookmarksEncryption,
  PySparkEtlJob,
  S3Encryption,
  SecurityConfiguration,
  type WorkerType,
} from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { DATA_LAYOUT } from '../config/data-layout';
import type { DatasetContractDocument } from '../config/dataset-contract';
import type { EtlConfig } from '../config/stage-config';
import { curatedTableInput } from '../etl/catalog';
import { etlJobArguments, ETL_CATALOG_TABLE } from '../etl/job-arguments';
import { ETL_ENTRY_POINT, ETL_PACKAGE, GLUE_SCRIPTS_DIR } from '../etl/job-code';

/** Properties of an {@link EtlJob}. */
export interface EtlJobProps {
  /** Uploaded datasets (read under `raw/`; never written). */
  readonly rawBucket: IBucket;
  /** Where runs write curated data (`curated/`) and rows set aside (`quarantine/`). */
  readonly processedBucket: IBucket;
  /** The key of the data buckets. */
  readonly dataKey: IKey;
  /** Name of the Glue job (`ResourceNames.etlJob`: the handlers, rules and local mode use it). */
  readonly jobName: string;
  /** Name of the Glue database of the curated data (people type it in Athena: lowercase, digits, `_`). */
  readonly databaseName: string;
  /** The contract the job curates uploads by. */
  readonly contract: DatasetContractDocument;
  /** Workers, time limits, concurrency. */
  readonly etl: EtlConfig;
  /** Retention of the job's log group. */
  readonly logRetention: RetentionDays;
}

/**
 * The ETL job of the data flow: a Glue 5.0 PySpark job running `glue-scripts/curate_dataset.py` (with the `curation`
 * package as an extra Python file) under a role that reads `raw/`, writes `curated/` and `quarantine/`, and updates
 * the catalog table over the curated data; logs and bookmarks encrypted (a security configuration); and the Glue
 * database and table over `curated/<run id>/data/`, one partition per run (projected, so nothing registers them).
 */
export class EtlJob extends Construct {
  /** The Glue job. */
  public readonly job: PySparkEtlJob;
  /** The job's role. */
  public readonly role: Role;
  /** The catalog database. */
  public readonly database: Database;
  /** The table over the curated data (its columns follow the latest run: the job updates them). */
  public readonly table: CfnResource;
  /** The job's continuous log group: driver and executor logs, and the run report line. */
  public readonly logGroup: LogGroup;
  /** The log groups Glue writes the job's logs to (`/aws-glue/*`), as the role's policy names them. */
  public readonly logGroupsArn: string;
  /** The objects of the bucket the job's code is in, as the role's policy names them. */
  public readonly codeObjectsArn: string;

  constructor(scope: Construct, id: string, props: EtlJobProps) {
    super(scope, id);
    const { rawBucket, processedBucket, dataKey, etl } = props;

    this.database = new Database(this, 'Database', {
      databaseName: props.databaseName,
      description: 'Curated training data written by the ETL job, one partition per run',
    });
    // The table as Glue's TableInput (lib/etl/catalog.ts), which local mode's catalog creates too.
    this.table = new CfnResource(this, 'CuratedTable', {
      type: CfnTable.CFN_RESOURCE_TYPE_NAME,
      properties: {
        CatalogId: Aws.ACCOUNT_ID,
        DatabaseName: this.database.databaseName,
        TableInput: curatedTableInput({ processedBucketName: processedBucket.bucketName, label: props.contract.label }),
      },
    });

    // Logs and bookmarks: encrypted with a key CloudWatch Logs may use (the data key's policy is the data stack's).
    const logsKey = new Key(this, 'LogsKey', {
      description: 'Encrypts the ETL job logs and bookmarks',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    logsKey.grantEncryptDecrypt(new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`));
    const securityConfiguration = new SecurityConfiguration(this, 'SecurityConfiguration', {
      cloudWatchEncryption: CloudWatchEncryption.kms(logsKey),
      jobBookmarksEncryption: JobBookmarksEncryption.clientSideKms(logsKey),
      s3Encryption: S3Encryption.kms(dataKey),
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('glue.amazonaws.com'),
      description: 'Runs the ETL job: reads raw/, writes curated/ and quarantine/, updates the curated table',
    });
    rawBucket.grantRead(this.role, `${DATA_LAYOUT.rawPrefix}*`);
    for (const prefix of [DATA_LAYOUT.curatedPrefix, DATA_LAYOUT.quarantinePrefix]) {
      processedBucket.grantReadWrite(this.role, `${prefix}*`);
    }
    dataKey.grantEncryptDecrypt(this.role);
    logsKey.grantEncryptDecrypt(this.role);
    // The job sets the curated table's columns to its run's (the catalog, the database and the table).
    const stack = Stack.of(this);
    const catalogArn = (resource: string) => stack.formatArn({ service: 'glue', resource });
    this.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['glue:GetTable', 'glue:UpdateTable'],
      resources: [
        catalogArn('catalog'),
        catalogArn(`database/${props.databaseName}`),
        catalogArn(`table/${props.databaseName}/${ETL_CATALOG_TABLE}`),
      ],
    }));
    // Continuous logging (encrypted) and job metrics.
    const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws-glue/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.logGroupsArn = logGroups;
    this.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
      resources: [logGroups, `${logGroups}:log-stream:*`],
    }));
    this.role.addToPrincipalPolicy(new PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
    }));

    // The curation package as a zip with `curation/` at its root (Glue puts --extra-py-files zips on sys.path).
    const curationPackage = new Asset(this, 'CurationPackage', {
      path: GLUE_SCRIPTS_DIR,
      exclude: ['*', `!${ETL_PACKAGE}/`, `!${ETL_PACKAGE}/**`, '**/__pycache__', '**/*.pyc'],
    });
    curationPackage.grantRead(this.role);
    this.codeObjectsArn = curationPackage.bucket.arnForObjects('*');

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup.grantWrite(this.role);

    this.job = new PySparkEtlJob(this, 'Job', {
      description: 'Curates an uploaded dataset: schema, cleaning, feature engineering; bad rows to quarantine',
      role: this.role,
      jobName: props.jobName,
      script: Code.fromAsset(ETL_ENTRY_POINT),
      extraPythonFiles: [Code.fromBucket(curationPackage.bucket, curationPackage.s3ObjectKey)],
      glueVersion: GlueVersion.V5_0,
      workerConfiguration: { workerType: etl.workerType as WorkerType, numberOfWorkers: etl.numberOfWorkers },
      securityConfiguration,
      timeout: Duration.minutes(etl.timeoutMinutes),
      notifyDelayAfter: Duration.minutes(etl.notifyDelayMinutes),
      maxConcurrentRuns: etl.maxConcurrentRuns,
      jobRunQueuingEnabled: true,
      continuousLogging: { enabled: true, logGroup: this.logGroup, quiet: true },
      defaultArguments: etlJobArguments({ contract: props.contract, databaseName: props.databaseName }),
    });
  }
}
