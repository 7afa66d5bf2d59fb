import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  datasetContractDocument,
  loadStageConfig,
  STAGE_NAMES,
  stageConfigIssues,
  type DatasetContract,
} from '../../../lib/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

/** What the ETL job's own contract parser (glue-scripts/curation/contract.py) says of each document: null or its error. */
function pythonVerdicts(documents: readonly unknown[]): (string | null)[] {
  const script = [
    'import json, sys',
    'from curation.contract import parse_contract',
    'from curation.errors import ContractError',
    'out = []',
    'for document in json.load(sys.stdin):',
    '    try:',
    '        parse_contract(json.dumps(document)); out.append(None)',
    '    except ContractError as error:',
    '        out.append(str(error))',
    'print(json.dumps(out))',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(documents),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'glue-scripts') },
  });
  if (result.status !== 0) throw new Error(`the contract parser failed (run npm run venv?): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('the dataset contract: checked at synth as the ETL job reads it', () => {
  test('every stage\'s contract document is one the job accepts', () => {
    const documents = STAGE_NAMES.map((stage) => datasetContractDocument(loadStageConfig(stage)));
    expect(documents[0]).toMatchObject({
      version: 1,
      label: 'target',
      problemType: 'regression',
      columns: expect.objectContaining({ plan: { type: 'categorical', values: ['basic', 'plus', 'pro'] } }),
    });
    expect(pythonVerdicts(documents)).toEqual([null, null, null]);
  });

  const INVALID: [string, DatasetContract][] = [
    ['an unknown column type', { columns: { city: { type: 'text' as never } } }],
    ['min above max', { columns: { age: { type: 'numeric', min: 10, max: 1 } } }],
    ['values on a numeric column', { columns: { age: { type: 'numeric', values: ['1'] } } }],
    ['a text imputed into a numeric column', { columns: { age: { type: 'numeric', nulls: { impute: 'none' } } } }],
    ['a misspelt member', { dropColumn: ['id'] } as never],
    ['dropping the label', { dropColumns: ['target'] }],
    ['a two-character delimiter', { delimiter: ';;' }],
    ['maxCategories 0', { maxCategories: 0 }],
  ];

  test.each(INVALID)('%s is rejected by both', (_, dataset) => {
    const config = { ...loadStageConfig('dev'), dataset };
    expect(stageConfigIssues(config).filter((i) => i.path.startsWith('dataset'))).not.toEqual([]);
    expect(pythonVerdicts([datasetContractDocument(config)])[0]).toEqual(expect.any(String));
  });

  test('a contract that names columns, rules and policies is accepted by both', () => {
    const dataset: DatasetContract = {
      columns: {
        target: { type: 'numeric', nulls: 'quarantine', min: 0 },
        city: { type: 'categorical', nulls: { impute: 'unknown' }, values: ['Paris', 'Lyon'] },
        rooms: { type: 'numeric', nulls: 'impute-median', min: 1, max: 20 },
        year: { type: 'numeric', nulls: { impute: 2000 } },
      },
      dropColumns: ['id'],
      delimiter: ';',
      maxQuarantinedFraction: 0,
    };
    const config = { ...loadStageConfig('dev'), dataset };
    expect(stageConfigIssues(config)).toEqual([]);
    expect(pythonVerdicts([datasetContractDocument(config)])).toEqual([null]);
  });
});
