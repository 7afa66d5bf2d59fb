import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../../local/events/event-pattern';

type Case = [name: string, pattern: unknown, event: unknown, expected: boolean];

/** Runs each case and checks that its pattern is valid: every documented pattern must pass validation. */
function cases(list: Case[]): void {
  test.each(list)('%s', (_name, pattern, event, expected) => {
    expect(validateEventPattern(pattern)).toEqual([]);
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
}

// From the event-ruler README (aws/event-ruler), the engine behind EventBridge's matching; also the documents'
// own sample for the numeric and complex examples.
const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

describe('AWS examples', () => {
  // "Amazon EventBridge event patterns" / "Event pattern syntax"
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
  describe('event patterns page', () => {
    const ec2Terminated = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '111122223333',
      time: '2017-12-22T18:43:48Z',
      region: 'us-west-1',
      resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
      detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
    };
    const autoscaling = {
      version: '0',
      id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: '2015-11-11T21:31:47Z',
      region: 'us-east-1',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    };
    // The page truncates this Macie event after "count"; these are its published fields up to there.
    const macie = {
      version: '0',
      id: '0948ba87-d3b8-c6d4-f2da-732a1example',
      'detail-type': 'Macie Finding',
      source: 'aws.macie',
      account: '123456789012',
      time: '2021-04-29T23:12:15Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        schemaVersion: '1.0',
        id: '64b917aa-3843-014c-91d8-937ffexample',
        type: 'Policy:IAMUser/S3BucketEncryptionDisabled',
        severity: { score: 1, description: 'Low' },
        count: 2,
      },
    };
    cases([
      ['EC2 termination pattern', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, ec2Terminated, true],
      ['the same pattern, another state', { source: ['aws.ec2'], detail: { state: ['running'] } }, ec2Terminated, false],
      ['source is aws.ec2 or aws.fargate', { source: ['aws.ec2', 'aws.fargate'] }, ec2Terminated, true],
      ['field matching on null', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, autoscaling, true],
      ['value matching on nested numbers', { source: ['aws.macie'], 'detail-type': ['Macie Finding'], detail: { severity: { score: [1] }, count: [2] } }, macie, true],
      ['value matching, other score', { source: ['aws.macie'], detail: { severity: { score: [2] } } }, macie, false],
      ['every pattern field must be in the event', { source: ['aws.ec2'], detail: { 'instance-id': ['i-1234567890abcdef0'], reason: ['x'] } }, ec2Terminated, false],
    ]);
  });

  // "Matching null values and empty strings in Amazon EventBridge event patterns"
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
  describe('null values and empty strings page', () => {
    const event = { source: 'aws.autoscaling', resources: [], detail: { eventVersion: '', responseElements: null } };
    cases([
      ['empty string', { detail: { eventVersion: [''] } }, event, true],
      ['null', { detail: { responseElements: [null] } }, event, true],
      ['an empty-string pattern does not match null', { detail: { responseElements: [''] } }, event, false],
      ['a null pattern does not match an empty string', { detail: { eventVersion: [null] } }, event, false],
    ]);
  });

  // "Arrays in Amazon EventBridge event patterns" / "Matching on multiple field values"
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
  describe('arrays page', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    cases([
      ['intersection of pattern and event arrays is non-empty', pattern, {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      }, true],
      ['empty intersection', pattern, { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-other'] }, false],
    ]);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": one row of the table each.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  describe('comparison operators table', () => {
    cases([
      ['And', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, true],
      ['And, one field differs', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Tuesday' }, false],
      ['Anything-but', { state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }, true],
      ['Anything-but, the excluded value', { state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }, false],
      ['Anything-but (begins with)', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, true],
      ['Anything-but (begins with), US', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' }, false],
      ['Anything-but (ends with)', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true],
      ['Anything-but (ends with), png', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
      ['Anything-but (ignore case)', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
      ['Anything-but (ignore case), other value', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'Running' }, true],
      ['Anything-but using a wildcard', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/x.so' }, false],
      ['Anything-but using a wildcard, other path', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' }, true],
      ['Begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, true],
      ['Begins with (ignore case)', { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'EventBridge' }, true],
      ['Empty', { LastName: [''] }, { LastName: '' }, true],
      ['Equals', { Name: ['Alice'] }, { Name: 'Alice' }, true],
      ['Equals is case-sensitive', { Name: ['Alice'] }, { Name: 'alice' }, false],
      ['Equals (ignore case)', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
      ['Ends with', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
      ['Ends with (ignore case)', { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EVENTBRIDGE' }, true],
      ['Exists', { ProductName: [{ exists: true }] }, { ProductName: 'Widget' }, true],
      ['Does not exist', { ProductName: [{ exists: false }] }, { Price: 3 }, true],
      ['Does not exist, but it does', { ProductName: [{ exists: false }] }, { ProductName: 'Widget' }, false],
      ['Not', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, true],
      ['Null', { UserID: [null] }, { UserID: null }, true],
      ['Numeric (equals)', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
      ['Numeric (range)', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
      ['Numeric (range), outside', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 }, false],
      ['Or', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, true],
      ['Or (multiple fields)', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Boston', Day: 'Monday' }, true],
      ['Or (multiple fields), neither', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Boston', Day: 'Friday' }, false],
      ['Wildcard', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/image.png' }, true],
      ['Wildcard, other folder', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'other/image.png' }, false],
    ]);
  });

  // "Content filtering in Amazon EventBridge event patterns"
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
  describe('content filtering page', () => {
    const ec2Pending = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    };
    // Published as the event that lacks detail.state; note its detail-type is a list.
    const withoutState = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    };
    const complex = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    const numeric = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    const or = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    cases([
      ['prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
      ['prefix ignoring case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventbridge' } }, true],
      ['suffix', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.png' }, true],
      ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'PHOTO.PNG' } }, true],
      ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, rulerEvent, true],
      ['anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, rulerEvent, true],
      ['anything-but a list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, { detail: { state: 'stopped' } }, false],
      ['anything-but a list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, { detail: { 'x-limit': 200 } }, false],
      ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, { detail: { state: 'initializing' } }, false],
      ['anything-but a suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, { detail: { FileName: 'a.txt' } }, false],
      ['anything-but ignoring case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, { detail: { state: 'overloaded' } }, false],
      ['anything-but a wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, { detail: { FilePath: 'lib/x' } }, true],
      ['numeric: all three fields', numeric, rulerEvent, true],
      ['numeric: c-count out of range', numeric, { detail: { ...rulerEvent.detail, 'c-count': 6 } }, false],
      ['IP address in 10.0.0.0/24', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.0.255' } }, true],
      ['IP address outside 10.0.0.0/24', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.1.0' } }, false],
      ['exists: event with detail.state', { detail: { state: [{ exists: true }] } }, ec2Pending, true],
      ['exists: event without detail.state', { detail: { state: [{ exists: true }] } }, withoutState, false],
      ['equals-ignore-case (the event holds detail-type in a list)', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, withoutState, true],
      ['complex example', complex, rulerEvent, true],
      ['complex example, state initializing', complex, { ...rulerEvent, detail: { ...rulerEvent.detail, state: 'initializing' } }, false],
      ['$or: c-count alone matches', or, { detail: { 'c-count': 1, 'd-count': 50, 'x-limit': 1 } }, true],
      ['$or: x-limit alone matches', or, { detail: { 'c-count': 9, 'd-count': 50, 'x-limit': 301.8 } }, true],
      ['$or: none matches', or, { detail: { 'c-count': 9, 'd-count': 50, 'x-limit': 1 } }, false],
    ]);
  });

  // aws/event-ruler README (the open-source matcher EventBridge uses): wildcard escaping, exists on non-leaf nodes,
  // "$or" combinations and JSON array matching. https://github.com/aws/event-ruler#readme
  describe('event-ruler README', () => {
    const employees = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    const cloudwatch = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' };
    cases([
      ['simple matching of the sample event', { 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'], detail: { state: ['initializing', 'running'] } }, rulerEvent, true],
      ['wildcard in the middle', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'Simple Queue Service' }, true],
      ['wildcard matches zero characters', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleService' }, true],
      ['escaped asterisk is literal', { key: [{ wildcard: 'a\\*b' }] }, { key: 'a*b' }, true],
      ['escaped asterisk does not match other text', { key: [{ wildcard: 'a\\*b' }] }, { key: 'axxb' }, false],
      ['escaped backslash', { key: [{ wildcard: 'a\\\\*' }] }, { key: 'a\\anything' }, true],
      ['exists false on a missing leaf', { detail: { 'c-count': [{ exists: false }] } }, { detail: { state: 'running' } }, true],
      ['exists false on an intermediate node: it is not a leaf', { detail: { 'c-count': [{ exists: false }] } }, { detail: { 'c-count': { c1: 100 } } }, true],
      ['exists true on an intermediate node', { detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': { c1: 100 } } }, false],
      ['$or: "source" && ("metricName" || "namespace")', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] }, cloudwatch, true],
      ['$or with an "and" inside', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/ES'] }, { scope: ['Service'] }] }, cloudwatch, false],
      ['$or nested in $or', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { namespace: ['AWS/EC2'] }] }] }, cloudwatch, true],
      ['array of objects: a field of one element', { employees: { firstName: ['Anna'] } }, employees, true],
      ['array of objects: fields must come from the same element', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees, false],
      ['array of objects: both fields of one element', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees, true],
      ['array of objects: exists false looks at each element', { employees: { firstName: ['Anna'], ids: [{ exists: false }] } }, employees, true],
      ['nested arrays are flattened', { employees: { firstName: ['Peter'] } }, { employees: [[employees.employees[0]], [employees.employees[2]]] }, true],
    ]);
  });
});

describe('edge cases', () => {
  cases([
    ['missing field', { detail: { state: ['running'] } }, { detail: {} }, false],
    ['missing parent object', { detail: { state: ['running'] } }, { source: 'x' }, false],
    ['null is not a missing field', { detail: { state: [null] } }, { detail: {} }, false],
    ['exists true matches null (a leaf value)', { detail: { state: [{ exists: true }] } }, { detail: { state: null } }, true],
    ['exists false on a missing field', { detail: { state: [{ exists: false }] } }, { detail: {} }, true],
    ['exists false when the parent is missing', { detail: { state: [{ exists: false }] } }, { source: 'x' }, true],
    ['exists false on an empty array (no values)', { resources: [{ exists: false }] }, { resources: [] }, true],
    ['exists true on an empty array', { resources: [{ exists: true }] }, { resources: [] }, false],
    ['exists false with the field present', { detail: { state: [{ exists: false }] } }, { detail: { state: '' } }, false],
    ['anything-but or missing', { detail: { tier: [{ 'anything-but': ['gold'] }, { exists: false }] } }, { detail: {} }, true],
    ['anything-but does not match a missing field', { detail: { tier: [{ 'anything-but': ['gold'] }] } }, { detail: {} }, false],
    ['anything-but does not match null', { tier: [{ 'anything-but': 'gold' }] }, { tier: null }, false],
    ['anything-but does not match a boolean', { tier: [{ 'anything-but': 'gold' }] }, { tier: true }, false],
    ['anything-but a list, value in it', { tier: [{ 'anything-but': ['gold', 'silver'] }] }, { tier: 'silver' }, false],
    ['anything-but a list, value not in it', { tier: [{ 'anything-but': ['gold', 'silver'] }] }, { tier: 'bronze' }, true],
    ['anything-but strings does not exclude a number', { tier: [{ 'anything-but': ['1'] }] }, { tier: 1 }, true],
    ['anything-but on an array: any element not excluded', { tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'b'] }, true],
    ['anything-but on an array: every element excluded', { tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'a'] }, false],
    ['a number pattern does not match a numeric string', { count: [5] }, { count: '5' }, false],
    ['a string pattern does not match a number', { count: ['5'] }, { count: 5 }, false],
    ['numbers compare as numbers', { count: [300] }, { count: 3.0e2 }, true],
    ['numeric does not match a numeric string', { count: [{ numeric: ['>', 1] }] }, { count: '5' }, false],
    ['numeric equality on a float', { ratio: [{ numeric: ['=', 0.5] }] }, { ratio: 0.5 }, true],
    ['numeric >= lower bound is inclusive', { n: [{ numeric: ['>=', 1, '<', 2] }] }, { n: 1 }, true],
    ['numeric < upper bound is exclusive', { n: [{ numeric: ['>=', 1, '<', 2] }] }, { n: 2 }, false],
    ['numeric on negative numbers', { n: [{ numeric: ['<', 0] }] }, { n: -1e9 }, true],
    ['prefix on a number', { year: [{ prefix: '20' }] }, { year: 2017 }, false],
    ['suffix on null', { name: [{ suffix: 'x' }] }, { name: null }, false],
    ['equals-ignore-case on a number', { name: [{ 'equals-ignore-case': '1' }] }, { name: 1 }, false],
    ['wildcard on a boolean', { name: [{ wildcard: '*' }] }, { name: true }, false],
    ['wildcard is case-sensitive and anchored', { key: [{ wildcard: 'raw/*.csv' }] }, { key: 'RAW/a.csv' }, false],
    ['wildcard * spans slashes and newlines', { key: [{ wildcard: 'raw/*' }] }, { key: 'raw/a/b\nc' }, true],
    ['wildcard with regex characters', { key: [{ wildcard: 'a.b(c)*' }] }, { key: 'a.b(c)d' }, true],
    ['wildcard with regex characters, not a regex', { key: [{ wildcard: 'a.b*' }] }, { key: 'axb' }, false],
    ['boolean values', { enabled: [false] }, { enabled: false }, true],
    ['boolean is not the string "false"', { enabled: [false] }, { enabled: 'false' }, false],
    ['a leaf pattern does not match an object', { detail: ['x'] }, { detail: { x: 1 } }, false],
    ['an array in the event holding a match', { resources: [{ prefix: 'arn:aws:s3' }] }, { resources: ['arn:aws:ec2:x', 'arn:aws:s3:::b'] }, true],
    ['nested arrays of values are flattened', { ids: [3] }, { ids: [[1, 2], [3]] }, true],
    ['a nested pattern does not match a string', { detail: { state: ['x'] } }, { detail: 'x' }, false],
    ['cidr on IPv6', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::5' }, true],
    ['cidr on IPv6 outside the block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
    ['cidr does not mix families', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }, false],
    ['cidr on a non-IP string', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'localhost' }, false],
    ['an IP in a pattern matches the address however it is spelled', { ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' }, true],
    ['an inherited property is not a field', { constructor: [{ exists: true }] }, {}, false],
    ['an event that is not an object', { source: ['aws.s3'] }, 'aws.s3', false],
    ['$or inside a nested object sees the same element', { detail: { $or: [{ a: [1] }, { b: [2] }] } }, { detail: [{ a: 9, b: 9 }, { b: 2 }] }, true],
  ]);

  test('GIVEN a compiled pattern WHEN it routes many events THEN each is matched on its own', () => {
    const isFailure = compileEventPattern({ source: ['aws.glue'], detail: { state: ['FAILED', 'TIMEOUT'] } });
    expect([{ source: 'aws.glue', detail: { state: 'FAILED' } }, { source: 'aws.glue', detail: { state: 'SUCCEEDED' } }].map(isFailure))
      .toEqual([true, false]);
  });
});

describe('validateEventPattern', () => {
  test.each<[string, unknown, string[]]>([
    ['a list as the pattern', ['aws.s3'], ['the pattern must be a JSON object, not ["aws.s3"]']],
    ['a JSON string', '{"source":["aws.s3"]}', ['the pattern must be a JSON object, not "{\\"source\\":[\\"aws.s3\\"]}"']],
    ['null', null, ['the pattern must be a JSON object, not null']],
    ['an empty pattern', {}, ['the pattern: empty object; give at least one field to match']],
    ['an empty nested object', { detail: {} }, ['detail: empty object; give at least one field to match']],
    ['a bare value', { source: 'aws.s3' }, ['source: "aws.s3" must be in a list (["aws.s3"]) or be a nested pattern object']],
    ['an empty list', { detail: { state: [] } }, ['detail.state: empty list; list at least one value or match expression']],
    ['a nested list', { source: [['aws.s3']] }, ['source[0]: ["aws.s3"] is not a string, number, true, false, null or match expression']],
    ['an unknown operator', { detail: { key: [{ contains: 'raw/' }] } }, ['detail.key[0]: unknown operator "contains"; EventBridge supports prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr']],
    ['a CloudFormation token left in the pattern', { detail: { bucket: { name: [{ Ref: 'RawBucket' }] } } }, ['detail.bucket.name[0]: {"Ref":"RawBucket"} is an unresolved CloudFormation value; substitute it before matching']],
    ['two operators in one expression', { key: [{ prefix: 'a', suffix: 'b' }] }, ['key[0]: a match expression has exactly one operator, not 2: {"prefix":"a","suffix":"b"}']],
    ['an empty expression', { key: [{}] }, ['key[0]: a match expression has exactly one operator, not 0: {}']],
    ['prefix of a number', { key: [{ prefix: 1 }] }, ['key[0]: prefix takes a string or { "equals-ignore-case": string }, not 1']],
    ['suffix with an unknown option', { key: [{ suffix: { wildcard: 'x' } }] }, ['key[0]: suffix takes a string or { "equals-ignore-case": string }, not {"wildcard":"x"}']],
    ['equals-ignore-case of a number', { key: [{ 'equals-ignore-case': 5 }] }, ['key[0]: equals-ignore-case takes a string, not 5']],
    ['wildcard with consecutive asterisks', { key: [{ wildcard: 'a**b' }] }, ['key[0]: wildcard "a**b" has consecutive "*" at position 1']],
    ['wildcard escaping a letter', { key: [{ wildcard: 'a\\d' }] }, ['key[0]: wildcard "a\\\\d" escapes "d" at position 1: only "\\*" and "\\\\" are allowed']],
    ['wildcard ending in a backslash', { key: [{ wildcard: 'a\\' }] }, ['key[0]: wildcard "a\\\\" escapes "" at position 1: only "\\*" and "\\\\" are allowed']],
    ['exists of a string', { key: [{ exists: 'true' }] }, ['key[0]: exists takes true or false, not "true"']],
    ['numeric not a list', { n: [{ numeric: '>5' }] }, ['n[0]: numeric ">5": must be a list such as [">", 0, "<=", 5]']],
    ['numeric empty', { n: [{ numeric: [] }] }, ['n[0]: numeric []: is empty']],
    ['numeric unknown operator', { n: [{ numeric: ['!=', 5] }] }, ['n[0]: numeric ["!=",5]: "!=" is not one of = < <= > >=']],
    ['numeric bound a string', { n: [{ numeric: ['>', '5'] }] }, ['n[0]: numeric [">","5"]: ">" needs a number after it, not "5"']],
    ['numeric missing bound', { n: [{ numeric: ['>'] }] }, ['n[0]: numeric [">"]: ">" needs a number after it, not undefined']],
    ['numeric upper bound first', { n: [{ numeric: ['<', 10, '>', 0] }] }, ['n[0]: numeric ["<",10,">",0]: is one comparison, or a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")']],
    ['numeric = in a range', { n: [{ numeric: ['=', 1, '<', 2] }] }, ['n[0]: numeric ["=",1,"<",2]: is one comparison, or a lower bound (">" or ">=") followed by an upper bound ("<" or "<=")']],
    ['numeric empty range', { n: [{ numeric: ['>', 10, '<', 5] }] }, ['n[0]: numeric [">",10,"<",5]: lower bound 10 is above upper bound 5']],
    ['anything-but a mixed list', { s: [{ 'anything-but': ['a', 1] }] }, ['s[0]: anything-but takes a string, a number, or a non-empty list of only strings or only numbers, not ["a",1]']],
    ['anything-but an empty list', { s: [{ 'anything-but': [] }] }, ['s[0]: anything-but takes a string, a number, or a non-empty list of only strings or only numbers, not []']],
    ['anything-but null', { s: [{ 'anything-but': null }] }, ['s[0]: anything-but takes a string, a number, or a non-empty list of only strings or only numbers, not null']],
    ['anything-but an unknown operator', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, ['s[0]: anything-but takes one of prefix, suffix, equals-ignore-case, wildcard, not {"numeric":[">",1]}']],
    ['anything-but prefix of a number', { s: [{ 'anything-but': { prefix: 1 } }] }, ['s[0]: anything-but prefix takes a string or a non-empty list of strings, not 1']],
    ['anything-but an invalid wildcard', { s: [{ 'anything-but': { wildcard: ['ok*', 'a**'] } }] }, ['s[0]: wildcard "a**" has consecutive "*" at position 1']],
    ['cidr without a prefix length', { ip: [{ cidr: '10.0.0.0' }] }, ['ip[0]: "10.0.0.0" is not a CIDR block: it needs exactly one "/" (e.g. "10.0.0.0/24")']],
    ['cidr with a long prefix', { ip: [{ cidr: '10.0.0.0/33' }] }, ['ip[0]: prefix length "33" in CIDR block "10.0.0.0/33" must be 0 to 32']],
    ['cidr of a host name', { ip: [{ cidr: 'example.com/8' }] }, ['ip[0]: "example.com" in CIDR block "example.com/8" is not an IPv4 or IPv6 address']],
    ['cidr of a number', { ip: [{ cidr: 10 }] }, ['ip[0]: cidr takes a string, not 10']],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, ['$or: must be a list of at least two pattern objects, not [{"a":["x"]}]']],
    ['$or of values', { detail: { $or: ['a', 'b'] } }, ['detail.$or: must be a list of at least two pattern objects, not ["a","b"]']],
    ['a bad value inside $or', { $or: [{ a: ['x'] }, { b: 'y' }] }, ['$or[1].b: "y" must be in a list (["y"]) or be a nested pattern object']],
  ])('%s', (_name, pattern, problems) => {
    expect(validateEventPattern(pattern)).toEqual(problems);
  });

  test('GIVEN several bad parts THEN each is reported with its path', () => {
    const problems = validateEventPattern({ source: 'aws.s3', detail: { key: [{ contains: 'x' }], size: [{ numeric: ['>'] }] } });
    expect(problems).toHaveLength(3);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['source', 'detail.key[0]', 'detail.size[0]']);
  });

  test('GIVEN $or lists that expand to more than 1000 combinations THEN the pattern is rejected', () => {
    // "Content filtering" page: the number of combinations is the product of the $or arrays' lengths.
    const tenWays = (field: string) => Array.from({ length: 10 }, (_, i) => ({ [field]: [i] }));
    const pattern = { a: { $or: tenWays('x') }, b: { $or: tenWays('y') }, c: { $or: tenWays('z') } };
    expect(validateEventPattern(pattern)).toEqual([]);
    expect(validateEventPattern({ ...pattern, d: { $or: [{ w: [1] }, { w: [2] }] } })).toEqual([
      "the pattern's $or lists expand to 2000 combinations; EventBridge allows 1000",
    ]);
  });

  test('GIVEN an invalid pattern WHEN matching THEN it throws naming every problem', () => {
    const match = () => matchesEventPattern({ source: 'aws.s3' }, { source: 'aws.s3' });
    expect(match).toThrow(InvalidEventPatternError);
    expect(match).toThrow('Invalid event pattern: source: "aws.s3" must be in a list (["aws.s3"]) or be a nested pattern object');
  });
});

describe('AWS sample events in test/fixtures/events', () => {
  const root = join(__dirname, '..', '..', 'fixtures', 'events');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json')).sort();
  const samples = files.map((file) => {
    const event = JSON.parse(readFileSync(join(root, file), 'utf8')) as { source: string | string[]; 'detail-type': string };
    // The SageMaker model-package sample is published with "source" twice; JSON.parse keeps the second, a list.
    const [source] = [event.source].flat();
    return { file: relative(root, join(root, file)), event, source, detailType: event['detail-type'] };
  });
  const kinds = [...new Map(samples.map((s) => [`${s.source}|${s.detailType}`, s])).values()];

  test('there are samples of every source the platform listens to', () => {
    expect(new Set(samples.map((s) => s.source))).toEqual(
      new Set(['aws.s3', 'aws.glue', 'aws.sagemaker', 'aws.states', 'aws.codepipeline', 'aws.codecommit']),
    );
  });

  test.each(samples)('$file matches its own source and detail-type, and no other kind', ({ file, event, source, detailType }) => {
    const folder = file.split(/[\\/]/).slice(0, -1).join('/');
    if (folder !== '') expect(folder).toBe(source);
    expect(matchesEventPattern({ source: [source], 'detail-type': [detailType] }, event)).toBe(true);
    for (const other of kinds.filter((k) => k.detailType !== detailType)) {
      expect(matchesEventPattern({ source: [other.source], 'detail-type': [other.detailType] }, event)).toBe(false);
    }
  });
});
