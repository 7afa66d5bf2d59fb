import { LocalAwsError } from '../errors';
import type { AttributeValue } from './attribute-values';

/** A document path: attribute names and list indexes, e.g. `a.b[2]` is `['a', 'b', 2]`. */
export type DocumentPath = readonly (string | number)[];

/** An operand: a document path or an expression attribute value. */
export type Operand = { readonly kind: 'path'; readonly path: DocumentPath } | { readonly kind: 'value'; readonly value: AttributeValue };

/** The comparators of condition expressions. */
export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A parsed condition expression. */
export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition }
  | { readonly kind: 'compare'; readonly comparator: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'attribute_exists' | 'attribute_not_exists'; readonly path: DocumentPath };

/** One action of a parsed update expression. */
export type UpdateAction =
  | { readonly kind: 'set'; readonly path: DocumentPath; readonly value: Operand }
  | { readonly kind: 'remove'; readonly path: DocumentPath };

/** What the local DynamoDB evaluates; anything else in an expression is an error naming this list. */
export const SUPPORTED_CONDITIONS =
  'comparisons (= <> < <= > >=) of paths and :values, attribute_exists(path), attribute_not_exists(path), AND, OR, NOT and parentheses';
export const SUPPORTED_UPDATES = 'SET path = operand (, ...) and REMOVE path (, ...)';

/**
 * The placeholders of one request (`ExpressionAttributeNames` / `ExpressionAttributeValues`), recording which ones
 * the expressions use: DynamoDB rejects undefined and unused placeholders alike.
 */
export class Placeholders {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  public constructor(
    private readonly names: Readonly<Record<string, string>> = {},
    private readonly values: Readonly<Record<string, AttributeValue>> = {},
  ) {}

  public name(token: string, expression: string): string {
    const name = this.names[token];
    if (name === undefined) {
      throw invalidExpression(expression, `An expression attribute name used in the document path is not defined; attribute name: ${token}`);
    }
    this.usedNames.add(token);
    return name;
  }

  public value(token: string, expression: string): AttributeValue {
    const value = this.values[token];
    if (value === undefined) {
      throw invalidExpression(expression, `An expression attribute value used in expression is not defined; attribute value: ${token}`);
    }
    this.usedValues.add(token);
    return value;
  }

  /** Throws ValidationException when a placeholder was given but no expression used it. */
  public checkAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((token) => !this.usedNames.has(token));
    const unusedValues = Object.keys(this.values).filter((token) => !this.usedValues.has(token));
    if (unusedNames.length > 0) {
      throw new LocalAwsError('ValidationException', `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    }
    if (unusedValues.length > 0) {
      throw new LocalAwsError('ValidationException', `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
    }
  }
}

function invalidExpression(expression: string, message: string): LocalAwsError {
  return new LocalAwsError('ValidationException', `Invalid ${expression}: ${message}`);
}

const TOKEN = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\d+|<>|<=|>=|[=<>(),.[\]+-]|\S)/gy;

/** A recursive-descent parser over the tokens of one expression. */
class Parser {
  private readonly tokens: { text: string; at: number }[] = [];
  private next = 0;

  public constructor(
    private readonly source: string,
    private readonly expression: 'ConditionExpression' | 'UpdateExpression',
    private readonly placeholders: Placeholders,
  ) {
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(source); match; match = TOKEN.exec(source)) {
      this.tokens.push({ text: match[1], at: match.index + match[0].length - match[1].length });
    }
  }

  public condition(): Condition {
    let left = this.conjunction();
    while (this.accept('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  public update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    do {
      const clause = this.take().toUpperCase();
      if (clause !== 'SET' && clause !== 'REMOVE') {
        throw this.unsupported(this.tokens[this.next - 1], SUPPORTED_UPDATES);
      }
      if (seen.has(clause)) throw this.error(`The "${clause}" section can only be used once in an update expression`);
      seen.add(clause);
      do {
        const path = this.path();
        if (clause === 'SET') {
          this.expect('=');
          actions.push({ kind: 'set', path, value: this.operand() });
        } else {
          actions.push({ kind: 'remove', path });
        }
      } while (this.accept(','));
    } while (!this.atEnd());
    return actions;
  }

  public end(): void {
    if (!this.atEnd()) throw this.unexpected();
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.accept('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.accept('NOT')) return { kind: 'not', condition: this.negation() };
    if (this.accept('(')) {
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const word = this.peek()?.text;
    if (word === 'attribute_exists' || word === 'attribute_not_exists') {
      this.take();
      this.expect('(');
      const path = this.path();
      this.expect(')');
      return { kind: word, path };
    }
    const left = this.operand();
    const comparator = this.peek()?.text;
    if (comparator === '=' || comparator === '<>' || comparator === '<' || comparator === '<=' || comparator === '>' || comparator === '>=') {
      this.take();
      return { kind: 'compare', comparator, left, right: this.operand() };
    }
    throw this.atEnd() ? this.unexpected() : this.unsupported(this.tokens[this.next], SUPPORTED_CONDITIONS);
  }

  private operand(): Operand {
    const token = this.peek();
    if (token?.text.startsWith(':')) {
      this.take();
      return { kind: 'value', value: this.placeholders.value(token.text, this.expression) };
    }
    return { kind: 'path', path: this.path() };
  }

  private path(): DocumentPath {
    const path: (string | number)[] = [this.name()];
    for (;;) {
      if (this.accept('.')) path.push(this.name());
      else if (this.accept('[')) {
        const index = this.take();
        if (!/^\d+$/.test(index)) throw this.unexpected(this.next - 1);
        path.push(Number(index));
        this.expect(']');
      } else return path;
    }
  }

  private name(): string {
    const token = this.peek();
    if (token && this.tokens[this.next + 1]?.text === '(') throw this.unsupported(token, this.expression === 'UpdateExpression' ? SUPPORTED_UPDATES : SUPPORTED_CONDITIONS);
    if (token?.text.startsWith('#')) {
      this.take();
      return this.placeholders.name(token.text, this.expression);
    }
    if (token && /^[A-Za-z_]/.test(token.text) && !/^(AND|OR|NOT)$/i.test(token.text)) {
      this.take();
      return token.text;
    }
    throw this.unexpected();
  }

  private peek(): { text: string; at: number } | undefined {
    return this.tokens[this.next];
  }

  private atEnd(): boolean {
    return this.next >= this.tokens.length;
  }

  private take(): string {
    if (this.atEnd()) throw this.unexpected();
    return this.tokens[this.next++].text;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    const matches = token !== undefined && (/^[A-Z]+$/.test(text) ? token.text.toUpperCase() === text : token.text === text);
    if (matches) this.next++;
    return matches;
  }

  private expect(text: string): void {
    if (!this.accept(text)) throw this.unexpected();
  }

  private error(message: string): LocalAwsError {
    return invalidExpression(this.expression, `${message}; expression: "${this.source}"`);
  }

  private unexpected(index = this.next): LocalAwsError {
    const token = this.tokens[index];
    return token
      ? this.error(`Syntax error; token: "${token.text}", near character ${token.at + 1}`)
      : this.error('Syntax error; the expression ends too early');
  }

  private unsupported(token: { text: string; at: number }, supported: string): LocalAwsError {
    return this.error(
      `"${token.text}" (character ${token.at + 1}) is outside what the local DynamoDB evaluates (${supported}); ` +
        'use those, or test this expression against DynamoDB itself',
    );
  }
}

/** Parses a ConditionExpression; throws ValidationException naming the token for a syntax error or anything unsupported. */
export function parseCondition(source: string, placeholders: Placeholders): Condition {
  const parser = new Parser(source, 'ConditionExpression', placeholders);
  const condition = parser.condition();
  parser.end();
  return condition;
}

/** Parses an UpdateExpression (SET and REMOVE clauses); throws ValidationException for anything else. */
export function parseUpdate(source: string, placeholders: Placeholders): UpdateAction[] {
  const parser = new Parser(source, 'UpdateExpression', placeholders);
  const actions = parser.update();
  parser.end();
  return actions;
}
