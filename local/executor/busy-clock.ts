/** Wall time during which at least one tracked process was running (the union of their intervals). */
export class BusyClock {
  private active = 0;
  private since = 0;
  private total = 0;

  begin(): void {
    if (this.active++ === 0) this.since = Date.now();
  }

  end(): void {
    if (--this.active === 0) this.total += Date.now() - this.since;
  }

  get ms(): number {
    return this.total + (this.active > 0 ? Date.now() - this.since : 0);
  }
}
