import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';

/** One CSV record: its cells (unquoted) and the line it starts on (1-based, as a text editor shows it). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

/** A record longer than this is refused: no row of a test split comes near it, a file without newlines does. */
export const MAX_RECORD_CHARACTERS = 1024 * 1024;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

/**
 * An incremental RFC 4180 parser (comma-separated, `"` quotes with `""` inside, CRLF, LF or CR line ends), fed text
 * in chunks of any size. Empty lines are skipped, as pandas does. Errors are MalformedTestData naming `source` and
 * the line.
 */
export class CsvRecordParser {
  private cells: string[] = [];
  private field = '';
  private state: State = 'fieldStart';
  private fieldWasQuoted = false;
  private afterCarriageReturn = false;
  private recordCharacters = 0;
  /** The line being read. */
  private currentLine = 1;
  private recordLine = 1;

  public constructor(private readonly source: string) {}

  /** The line the parser has reached (for errors found outside it, such as bad UTF-8). */
  public get line(): number {
    return this.currentLine;
  }

  /** Parses `text`, returning the records it completes. */
  public push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    for (let index = 0; index < text.length; index++) {
      const char = text[index];
      if (this.afterCarriageReturn) {
        this.afterCarriageReturn = false;
        if (char === '\n') continue;
      }
      if (++this.recordCharacters > MAX_RECORD_CHARACTERS) {
        throw this.malformed(
          this.recordLine,
          `is longer than ${MAX_RECORD_CHARACTERS} characters: is this a CSV file with one row per line?`,
        );
      }
      switch (this.state) {
        case 'quoted':
          if (char === '"') {
            this.state = 'quoteInQuoted';
          } else {
            if (char === '\n') this.currentLine++;
            this.field += char;
          }
          break;
        case 'quoteInQuoted':
          if (char === '"') {
            this.field += '"';
            this.state = 'quoted';
          } else if (char === ',') {
            this.endField();
          } else if (char === '\n' || char === '\r') {
            this.endRecord(char, records);
          } else {
            throw this.malformed(
              this.currentLine,
              `has ${JSON.stringify(char)} right after a closing quote; a quoted value must be followed by ',' or the end of the line`,
            );
          }
          break;
        case 'fieldStart':
          if (char === '"') {
            this.state = 'quoted';
            this.fieldWasQuoted = true;
          } else {
            this.state = 'unquoted';
            this.unquoted(char, records);
          }
          break;
        case 'unquoted':
          this.unquoted(char, records);
          break;
      }
    }
    return records;
  }

  private unquoted(char: string, records: CsvRecord[]): void {
    if (char === ',') {
      this.endField();
    } else if (char === '\n' || char === '\r') {
      this.endRecord(char, records);
    } else {
      this.field += char;
    }
  }

  /** Ends the input, returning the last record when the text does not end with a line end. */
  public end(): CsvRecord[] {
    if (this.state === 'quoted') {
      throw this.malformed(this.recordLine, 'opens a quoted value that is never closed');
    }
    const records: CsvRecord[] = [];
    if (this.cells.length > 0 || this.field !== '' || this.fieldWasQuoted) {
      this.endRecord('', records);
    }
    return records;
  }

  private endField(): void {
    this.cells.push(this.field);
    this.field = '';
    this.state = 'fieldStart';
    this.fieldWasQuoted = false;
  }

  private endRecord(lineEnd: string, records: CsvRecord[]): void {
    const blank = this.cells.length === 0 && this.field === '' && !this.fieldWasQuoted;
    this.endField();
    if (!blank) {
      records.push({ line: this.recordLine, cells: this.cells });
    }
    this.cells = [];
    this.recordCharacters = 0;
    this.afterCarriageReturn = lineEnd === '\r';
    this.currentLine++;
    this.recordLine = this.currentLine;
  }

  private malformed(line: number, problem: string): SystemTestError {
    return new SystemTestError(SYSTEM_TEST_ERRORS.malformedTestData, `line ${line} of ${this.source} ${problem}`);
  }
}

/**
 * The CSV records of a byte stream (an S3 object's body), decoded as UTF-8 (a BOM is dropped). Stop iterating early
 * and the stream is destroyed, so only what was needed is downloaded.
 */
export async function* csvRecords(body: AsyncIterable<Uint8Array | string>, source: string): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvRecordParser(source);
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      // The line of the first invalid byte: the parser's line plus the line ends before it in this chunk.
      const text = chunk === undefined ? '' : new TextDecoder('utf-8').decode(chunk);
      const before = text.slice(0, Math.max(0, text.indexOf('\uFFFD')));
      const line = parser.line + (before.match(/\r\n|\r|\n/g)?.length ?? 0);
      throw new SystemTestError(
        SYSTEM_TEST_ERRORS.malformedTestData,
        `${source} is not UTF-8 text (line ${line} holds a byte sequence that is not UTF-8): ` +
          "use the training pipeline's test.csv, which is UTF-8",
      );
    }
  };
  for await (const chunk of body) {
    yield* parser.push(typeof chunk === 'string' ? chunk : decode(chunk));
  }
  yield* parser.push(decode());
  yield* parser.end();
}
