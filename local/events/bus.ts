import { randomUUID } from 'crypto';
import type { EventPatternJson } from '../../lib/events/patterns';
import type { AwsEvent } from './aws-events';
import { compileEventPattern } from './event-pattern';

/** An event as EventBridge delivers it. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** What a rule does with a matching event; a rejection counts as a failed delivery. */
export type RuleTarget = (event: BusEvent) => Promise<void>;

/** A rule of the local bus: the pattern a deployed rule has, and its target. */
export interface LocalRule {
  readonly name: string;
  readonly pattern: EventPatternJson;
  readonly target: RuleTarget;
}

/** One delivery of an event to a rule's target. */
export interface Delivery {
  readonly rule: string;
  readonly eventId: string;
  readonly detailType: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * The default event bus, on this machine: events put on it go to every rule whose pattern matches (the same
 * patterns the stacks deploy, matched by the EventBridge pattern language), asynchronously, as EventBridge does.
 * `idle()` waits until every delivery, including those caused by other deliveries, has ended.
 */
export class LocalEventBus {
  private readonly rules: { readonly rule: LocalRule; readonly matches: (event: unknown) => boolean }[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Every event put on the bus, in order. */
  readonly events: BusEvent[] = [];
  /** Every delivery, in the order they ended. */
  readonly deliveries: Delivery[] = [];

  constructor(private readonly environment: { readonly account: string; readonly region: string }) {}

  /** Adds a rule; throws naming the rule when its pattern is one EventBridge would reject. */
  addRule(rule: LocalRule): void {
    try {
      this.rules.push({ rule, matches: compileEventPattern(rule.pattern) });
    } catch (error) {
      throw new Error(`rule ${rule.name}: ${(error as Error).message}`);
    }
  }

  /** Puts an event on the bus with EventBridge's envelope (id, time, account, region); returns it. */
  put(put: AwsEvent): BusEvent {
    const detailType = put.detailType;
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: put.source,
      account: this.environment.account,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.environment.region,
      resources: put.resources,
      detail: put.detail,
    };
    this.events.push(event);
    for (const { rule, matches } of this.rules) {
      if (!matches(event)) continue;
      const delivery = rule.target(event).then(
        () => void this.deliveries.push({ rule: rule.name, eventId: event.id, detailType: detailType, ok: true }),
        (error: unknown) =>
          void this.deliveries.push({ rule: rule.name, eventId: event.id, detailType, ok: false, error: (error as Error).message }),
      );
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
    return event;
  }

  /** Resolves when no delivery is in flight (deliveries may put new events; those are waited for too). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
