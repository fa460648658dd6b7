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

/**
 * A part of a snapshot kept in a row of its own beside it (`saveText`'s `parts`), read only when its
 * reader asks for it (`loadPart`): a large snapshot's history, say, of which a reader uses a little.
 */
export interface SnapshotPart {
  /** Its name, unique among the stream's parts. */
  name: string;
  text: string;
}

/** A part saved before that a snapshot goes on using (`saveText`): its name and the revision it was saved at. */
export interface PartUse {
  name: string;
  revision: bigint;
}

export abstract class SnapshotStore {
  /**
   * The latest snapshot of a stream with its state as the text it was saved as (`saveText`), or
   * undefined. Stores keep the text as it is: its encoding is the caller's, told by the schema version.
   */
  abstract loadText(stream: string): Promise<Snapshot<string> | undefined>;

  /**
   * Keeps this snapshot as the stream's latest, unless one at a later revision with the same schema
   * version is already kept (two writers racing must not move the cache backwards). Resolves to whether
   * it was kept.
   *
   * `parts` are kept with it, all or none, each at its revision and schema version in place of whatever
   * was kept under its name (the snapshot kept names it so). A part saved once is kept until a later one
   * of its name replaces it, so a later snapshot may leave out the parts that did not change and go on
   * using them: it names them in `uses` with the revision it read or saved them at. A store that may
   * forget parts on its own (a memory store within its budget) refuses a snapshot using one it no longer
   * keeps at that revision. Another writer may still replace a part a snapshot uses, so a reader checks
   * the revision of each part it reads (`loadPart`).
   */
  abstract saveText(stream: string, revision: bigint, schemaVersion: number, text: string, parts?: readonly SnapshotPart[], uses?: readonly PartUse[]): Promise<boolean>;

  /**
   * The latest part of that name saved with a snapshot of the stream (its revision is the revision of
   * the snapshot that saved it), or undefined. Synchronous: a part is read in the middle of work that
   * cannot wait (a fold asking for an entry), so only stores that answer at once from local storage
   * (memory, the ledger's sqlite file) keep parts.
   */
  abstract loadPart(stream: string, name: string): Snapshot<string> | undefined;

  /** The latest snapshot of a stream saved as JSON (`save`), parsed, or undefined. */
  async load<S = unknown>(stream: string): Promise<Snapshot<S> | undefined> {
    const found = await this.loadText(stream);
    return found && { ...found, state: JSON.parse(found.state) as S };
  }

  /** `saveText` of the state's JSON. */
  async save(stream: string, revision: bigint, schemaVersion: number, state: unknown): Promise<void> {
    await this.saveText(stream, revision, schemaVersion, toStateJson(state));
  }
}

export function toStateJson(state: unknown): string {
  const json = JSON.stringify(state);
  if (json === undefined) throw new TypeError('a snapshot state must be JSON');
  return json;
}
