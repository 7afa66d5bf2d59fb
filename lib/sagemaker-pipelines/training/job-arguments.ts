import type { Channel, ProcessingInput, ProcessingOutput } from '../arguments';
import type { PipelineString, PipelineValue } from '../expressions';

/** A File-mode S3 prefix input of a processing job, downloaded to `localPath`. */
export function processingInput(name: string, s3Uri: PipelineString, localPath: string): ProcessingInput {
  return {
    InputName: name,
    AppManaged: false,
    S3Input: {
      S3Uri: s3Uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
      S3CompressionType: 'None',
    },
  };
}

/** An output of a processing job, uploaded from `localPath` to `s3Uri` when the job ends. */
export function processingOutput(name: string, s3Uri: PipelineString, localPath: string): ProcessingOutput {
  return { OutputName: name, AppManaged: false, S3Output: { S3Uri: s3Uri, LocalPath: localPath, S3UploadMode: 'EndOfJob' } };
}

/** A CSV training channel over an S3 prefix. */
export function channel(name: string, s3Uri: PipelineString): Channel {
  return {
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
  };
}

/** A number as a hyperparameter or argument string. */
export function formatNumber(value: number): string {
  return String(value);
}

/** Key parts of `<prefix>/<parts>` without empty segments. */
export function keyParts(prefix: string, ...parts: readonly PipelineValue[]): PipelineValue[] {
  return [...(prefix === '' ? [] : [prefix]), ...parts];
}
