import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalAwsError } from './errors';
import type { QueryOperation } from './query-protocol';

/** An SNS message attribute as Publish carries it. */
export interface PublishedAttribute {
  /** `String`, `String.Array`, `Number` or `Binary` (optionally with a custom suffix, e.g. `Number.float`). */
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as sent. */
  readonly BinaryValue?: string;
}

/** One SNS Publish the local endpoint received. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageAttributes?: Readonly<Record<string, PublishedAttribute>>;
  /** ISO-8601 time the endpoint received it. */
  readonly time: string;
}

/** SNS's limit on a message with its attributes (256 KiB). */
const MAX_MESSAGE_BYTES = 262_144;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;
const DATA_TYPE = /^(String|String\.Array|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;

/** Checks Publish's own rules beyond the model's shapes; throws InvalidParameter naming the member. */
function checkPublish(input: Record<string, unknown>, region: string): void {
  const topicArn = input.TopicArn;
  if (typeof topicArn !== 'string') {
    throw new LocalAwsError(
      'InvalidParameter',
      'Invalid parameter: TopicArn: the local endpoint delivers to topics only; give TopicArn (not TargetArn or PhoneNumber).',
    );
  }
  const arn = TOPIC_ARN.exec(topicArn);
  if (!arn) {
    throw new LocalAwsError('InvalidParameter', `Invalid parameter: TopicArn: '${topicArn}' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
  }
  if (arn[1] !== region) {
    throw new LocalAwsError(
      'InvalidParameter',
      `Invalid parameter: TopicArn: '${topicArn}' is in region ${arn[1]}, but local mode runs in ${region}; use a topic ARN of that region.`,
    );
  }
  const attributes = (input.MessageAttributes ?? {}) as Record<string, PublishedAttribute>;
  let size = Buffer.byteLength(String(input.Message));
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attribute.StringValue ?? attribute.BinaryValue;
    if (!DATA_TYPE.test(attribute.DataType) || value === undefined) {
      throw new LocalAwsError(
        'InvalidParameterValue',
        `The message attribute '${name}' has DataType '${attribute.DataType}' and ${value === undefined ? 'no value' : 'a value'}; ` +
          'give DataType String, String.Array, Number or Binary with a StringValue (BinaryValue for Binary).',
      );
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType) + Buffer.byteLength(value);
  }
  if (size > MAX_MESSAGE_BYTES) {
    throw new LocalAwsError('InvalidParameter', `Invalid parameter: Message too long: ${size} bytes with its attributes, more than ${MAX_MESSAGE_BYTES}.`);
  }
  if (typeof input.Subject === 'string' && (input.Subject.length >= 100 || [...input.Subject].some((c) => c.charCodeAt(0) < 0x20))) {
    throw new LocalAwsError('InvalidParameter', 'Invalid parameter: Subject: it must be under 100 characters without line breaks or control characters.');
  }
}

/**
 * SNS Publish for the local endpoint: checks the request as SNS does, appends it to `published` (and, with
 * `journalFile`, as one JSON line to that file) and answers a MessageId.
 */
export function snsOperations(options: {
  readonly region: string;
  readonly published: PublishedMessage[];
  readonly journalFile?: string;
}): Record<string, QueryOperation> {
  return {
    Publish: (input) => {
      checkPublish(input, options.region);
      const message: PublishedMessage = {
        messageId: randomUUID(),
        topicArn: String(input.TopicArn),
        ...(input.Subject !== undefined && { subject: String(input.Subject) }),
        message: String(input.Message),
        ...(input.MessageAttributes !== undefined && {
          messageAttributes: input.MessageAttributes as Record<string, PublishedAttribute>,
        }),
        time: new Date().toISOString(),
      };
      options.published.push(message);
      if (options.journalFile) {
        fs.mkdirSync(path.dirname(options.journalFile), { recursive: true });
        fs.appendFileSync(options.journalFile, `${JSON.stringify(message)}\n`);
      }
      return { MessageId: message.messageId };
    },
  };
}
