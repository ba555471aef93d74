// Stripe's events as a workflow hears them: in arrival order, each event id once (Stripe redelivers,
// and a webhook retried after a timeout signals again). The signal handler calls receive(); the
// workflow's loop takes them with shift().

export class EventInbox<T extends { eventId: string }> {
  private readonly seen: Set<string>;
  private readonly waiting: T[];

  /** A run that continues an earlier one starts from what that run had seen and not yet applied. */
  constructor(carried: { seen?: Iterable<string>; waiting?: readonly T[] } = {}) {
    this.seen = new Set(carried.seen ?? []);
    this.waiting = [...(carried.waiting ?? [])];
  }

  /** Keeps the first copy of each event; later copies change nothing. */
  receive(event: T): void {
    if (this.seen.has(event.eventId)) return;
    this.seen.add(event.eventId);
    this.waiting.push(event);
  }

  get length(): number {
    return this.waiting.length;
  }

  /** The oldest event not yet taken. */
  shift(): T | undefined {
    return this.waiting.shift();
  }

  /** What a continued run needs: the ids seen and the events still waiting. */
  carryOver(): { seen: string[]; waiting: T[] } {
    return { seen: [...this.seen], waiting: [...this.waiting] };
  }
}
