import type { StoredEventData } from './event-store.port';

/**
 * Turns the data of one schema version of an event type into the data of the next version. It receives
 * the stored event (at `fromVersion`) for context, without its metadata, which a reader may not have
 * read (`EventStore.readStreamData`), and must be pure: it runs on every read.
 */
export type Upcaster = (data: any, event: StoredEventData) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The registry of event upcasters, applied when events are read and never to stored rows: the log stays
 * exactly as it was written, which is what an auditor replays. Steps chain, so an event stored at
 * version 1 of a type with steps 1->2 and 2->3 is read at version 3.
 */
export class Upcasters {
  private readonly steps = new Map<string, Upcaster>();

  /** Registers the step from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcast: Upcaster): this {
    if (!Number.isInteger(fromVersion) || fromVersion < 1) {
      throw new RangeError(
        `upcaster for ${type}: fromVersion must be a positive integer, got ${fromVersion}`,
      );
    }
    const key = Upcasters.key(type, fromVersion);
    if (this.steps.has(key)) {
      throw new Error(`an upcaster for ${type} from version ${fromVersion} is already registered`);
    }
    this.steps.set(key, upcast);
    return this;
  }

  /**
   * The event at the latest version the registry knows, its data as the caller reads that version
   * (`D`); the same object when no step applies.
   */
  upcast<D = unknown, E extends StoredEventData = StoredEventData>(event: E): Omit<E, 'data'> & { data: D } {
    let current: E = event;
    for (;;) {
      const step = this.steps.get(Upcasters.key(current.type, current.schemaVersion));
      if (!step) return current as Omit<E, 'data'> & { data: D };
      current = { ...current, schemaVersion: current.schemaVersion + 1, data: step(current.data, current) };
    }
  }

  /** Every event at the latest version; their data is whatever that version holds (read as `unknown`). */
  upcastAll<E extends StoredEventData>(events: E[]): E[] {
    return this.steps.size === 0 ? events : events.map((event) => this.upcast<E['data'], E>(event) as E);
  }

  private static key(type: string, version: number): string {
    return `${type}\u0000${version}`;
  }
}
