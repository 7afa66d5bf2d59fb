import { CsvRecordParser, csvRecords, type CsvRecord } from '../../../lambda/system-test/csv';
import { parseDecimal, readHeader, readTestRow } from '../../../lambda/system-test/test-rows';

const SOURCE = 's3://bucket/test.csv';

async function recordsOf(chunks: (string | Uint8Array)[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  async function* body() {
    yield* chunks;
  }
  for await (const record of csvRecords(body(), SOURCE)) records.push(record);
  return records;
}

describe('CsvRecordParser', () => {
  const TEXT = 'a,"b, with comma","c ""quoted"""\r\n1,2,3\n\n"multi\nline",5,\r7,8,9';
  const EXPECTED: CsvRecord[] = [
    { line: 1, cells: ['a', 'b, with comma', 'c "quoted"'] },
    { line: 2, cells: ['1', '2', '3'] },
    { line: 4, cells: ['multi\nline', '5', ''] },
    { line: 6, cells: ['7', '8', '9'] },
  ];

  test('GIVEN quotes, escaped quotes, a value over two lines, CRLF, CR, a blank line and no final line end THEN RFC 4180 records with their first line', () => {
    const parser = new CsvRecordParser(SOURCE);
    expect([...parser.push(TEXT), ...parser.end()]).toEqual(EXPECTED);
  });

  test('GIVEN the same text cut at every position THEN the same records (chunks split rows, quotes and CRLF)', () => {
    for (let cut = 0; cut <= TEXT.length; cut++) {
      const parser = new CsvRecordParser(SOURCE);
      expect([...parser.push(TEXT.slice(0, cut)), ...parser.push(TEXT.slice(cut)), ...parser.end()]).toEqual(EXPECTED);
    }
  });

  test('GIVEN a quoted empty value alone on a line THEN it is a record, not a blank line', () => {
    const parser = new CsvRecordParser(SOURCE);
    expect([...parser.push('a\n""\n'), ...parser.end()]).toEqual([
      { line: 1, cells: ['a'] },
      { line: 2, cells: [''] },
    ]);
  });
});

describe('csvRecords', () => {
  test('GIVEN UTF-8 whose characters are split across chunks and a BOM THEN they decode whole, the BOM dropped', async () => {
    const bytes = Buffer.from('\uFEFFprix,ville_Besançon\n1,2\n', 'utf8');
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));

    await expect(recordsOf(chunks)).resolves.toEqual([
      { line: 1, cells: ['prix', 'ville_Besançon'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });

  test('GIVEN an incomplete UTF-8 sequence at the very end THEN MalformedTestData', async () => {
    await expect(recordsOf([Buffer.from('a,b\n1,'), Uint8Array.of(0xc3)])).rejects.toMatchObject({
      name: 'MalformedTestData',
      message: expect.stringContaining(`${SOURCE} is not UTF-8 text`),
    });
  });
});

describe('parseDecimal', () => {
  test.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['+3.', 3],
    ['.5', 0.5],
    ['1e-3', 0.001],
    ['  7.25  ', 7.25],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ])('%j → %d', (text, value) => {
    expect(parseDecimal(text)).toBe(value);
  });

  test.each(['', ' ', 'abc', 'NaN', 'nan', 'inf', 'Infinity', '-Infinity', '0x10', '1_000', '1,5', '1e', '--1', '1e400', 'true'])(
    '%j is not a finite decimal number',
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );
});

describe('readHeader and readTestRow', () => {
  const header = readHeader({ line: 1, cells: [' price ', 'rooms', 'area'] }, SOURCE);

  test('GIVEN a header THEN its names, trimmed', () => {
    expect(header).toEqual(['price', 'rooms', 'area']);
  });

  test('GIVEN a row with spaces and a missing feature THEN the label as a number and the feature cells as written, trimmed', () => {
    expect(readTestRow({ line: 7, cells: [' 250000.0', ' 3 ', ''] }, header, SOURCE)).toEqual({
      line: 7,
      label: 250000,
      features: ['3', ''],
    });
  });

  test('GIVEN a header with a column that is a number THEN it is still a header (only all-number lines are data)', () => {
    expect(readHeader({ line: 1, cells: ['label', '0', '1'] }, SOURCE)).toEqual(['label', '0', '1']);
  });
});
