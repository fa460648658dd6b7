/**
 * Snapshots: a cache of an aggregate's folded state at a revision, so a long-lived account loads from its
 * last snapshot plus the events after it instead of from years of history.
 *
 * A snapshot is never the source of truth. The stream stays the complete record; any snapshot can be
 * deleted, or ignored, and the state rebuilt from the events (see docs/adr/0001-snapshots.md).
 */
export interface Snapshot<S = unknown> {
  /** Revision of the last event folded into `state`. */
  revision: bigint;
  /**
   * Version of the state's shape. A caller that expects another version must ignore the snapshot and
   * fold the stream from the start: the state's shape or the fold itself changed since it was taken.
   */
  schemaVersion: number;
  /** Plain JSON (`load`), or the text as saved (`loadText`). */
  state: S;
}

export abstract class SnapshotStore {
  /**
   * The latest snapshot of a stream with its state as the text it was saved as (`saveText`), or
   * undefined. Stores keep the text as it is: its encoding is the caller's, told by the schema version.
   */
  abstract loadText(stream: string): Promise<Snapshot<string> | undefined>;

  /**
   * Keeps this snapshot as the stream's latest, unless one at a later revision with the same schema
   * version is already kept (two writers racing must not move the cache backwards).
   */
  abstract saveText(stream: string, revision: bigint, schemaVersion: number, text: string): Promise<void>;

  /** The latest snapshot of a stream saved as JSON (`save`), parsed, or undefined. */
  async load<S = unknown>(stream: string): Promise<Snapshot<S> | undefined> {
    const found = await this.loadText(stream);
    return found && { ...found, state: JSON.parse(found.state) as S };
  }

  /** `saveText` of the state's JSON. */
  save(stream: string, revision: bigint, schemaVersion: number, state: unknown): Promise<void> {
    return this.saveText(stream, revision, schemaVersion, toStateJson(state));
  }
}

export function toStateJson(state: unknown): string {
  const json = JSON.stringify(state);
  if (json === undefined) throw new TypeError('a snapshot state must be JSON');
  return json;
}
