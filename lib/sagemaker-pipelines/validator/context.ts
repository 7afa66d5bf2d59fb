import type { JsonRecord } from '../private/json';
import type { ValidationIssue, ValidationIssueCode } from './issues';

/** A step found anywhere in the definition, with the branches it sits in. */
export interface StepInfo {
  readonly name: string;
  readonly type: string;
  readonly def: JsonRecord;
  readonly path: string;
  /** Enclosing branches from the top, e.g. `['CheckQuality:IfSteps']`. */
  readonly branches: readonly string[];
  /** The Condition step whose branch holds this step. */
  readonly parent?: string;
}

/** Step and parameter names: letters, digits, '-' and '_'. */
export const NAME_PATTERN = /^[A-Za-z0-9\-_]+$/;

/** Where a step sits, for messages. */
export function describeLocation(info: StepInfo): string {
  if (info.branches.length === 0) {
    return 'at the top level';
  }
  const last = info.branches[info.branches.length - 1];
  const [condition, branch] = last.split(':');
  return `in the ${branch} of ${condition}`;
}

/** What the checks of one validation run share: the issues found, the steps and parameters, the dependency edges. */
export class ValidationContext {
  public readonly issues: ValidationIssue[] = [];
  public readonly steps = new Map<string, StepInfo>();
  /** Parameter name → its declared type (`unknown` when the declaration is broken). */
  public readonly parameters = new Map<string, string>();
  /** step → steps it depends on (data references, DependsOn, enclosing condition). */
  public readonly edges = new Map<string, Set<string>>();

  public report(code: ValidationIssueCode, path: string, message: string): void {
    this.issues.push({ code, path, message });
  }

  public addEdge(from: string, to: string): void {
    let set = this.edges.get(from);
    if (!set) {
      set = new Set();
      this.edges.set(from, set);
    }
    set.add(to);
  }
}
