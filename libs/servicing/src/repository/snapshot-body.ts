/**
 * What the repository keeps in an account's snapshot: its state, the global position and chain hash of
 * its last event, and the ids of the commands it applied (for idempotency). See ADR 0001.
 *
 * Envelope 3 (snapshot schema `state version * 100 + 3`, kept under `<stream>/lines`) is lines of text:
 *
 *     {"position":"<global position>","chainHash":"<hash>","commands":<count>,"slots":"<which hold one>"}
 *     <the state's head: serializeLines, which lists its orders' and draws' slots>
 *     orders:<slot> <the shard's JSON text>
 *     draws:<slot> <the shard's JSON text>
 *     commands:<slot> {"<command id>":["<request hash>","<first revision>","<last revision>"],...}
 *
 * A cold load parses the first two lines and cuts the rest apart; a shard of orders, draws or command
 * ids is parsed when an entry of it is asked for. A command looks up one command id, and most touch one
 * or two shards of orders and draws, so a load no longer costs what the account's whole history does.
 *
 * Envelope 2 was one JSON object whose `state` held the state's JSON as a string (in which each stored
 * shard was a string again) and whose `commands` held every command id parsed. Parsing it was about
 * three fifths of a one-year account's cold load, most of it undoing the escaping of strings within
 * strings; it still reads.
 */
import {
  type CreditAccountState,
  deserializeLines,
  deserializeState,
  emptySharded,
  type ShardedRecord,
  SHARDS,
  serializeLines,
  sizeOf,
  storedSharded,
  storedSlots,
  withEntries,
  APART_FIELDS,
  bytesPerCharOf,
  slotMask,
  slotsOfMask,
} from '@ledger/credit';

export interface AppliedCommand {
  requestHash: string;
  firstRevision: string;
  lastRevision: string;
}

/** An account's command ids, sharded as its orders are (`sharded-record.ts`), each shard parsed when asked for. */
export type CommandIds = ShardedRecord<AppliedCommand>;

export const SNAPSHOT_ENVELOPE = 3;
/** The envelope before this one (a JSON object), still read. */
export const JSON_SNAPSHOT_ENVELOPE = 2;

export interface SnapshotBody {
  state: CreditAccountState;
  /** Global position of the stream's last event folded in. */
  position: bigint;
  commands: CommandIds;
  chainHash: string;
  /**
   * Bytes of a decoded snapshot's text that no shard's weight counts (its first two lines): each shard's
   * text is cut out of the whole text, which the engine keeps whole for as long as any of them is kept.
   */
  heldTextBytes?: number;
}

const COMMANDS = 'commands';
const RECORDS = [...APART_FIELDS, COMMANDS];

/**
 * A shard of command ids as stored: each id's request hash and first and last revision as an array of
 * three strings (`{"draw:o-1":["sha256:...","3","3"]}`), which is two fifths shorter than the object and
 * so shortens the snapshot by a tenth. Parsed into a prototype-less record, so an id such as `__proto__`
 * is an ordinary key.
 */
function parseCommands(text: string): Readonly<Record<string, AppliedCommand>> {
  const stored = JSON.parse(text) as Record<string, unknown>;
  const shard = Object.create(null) as Record<string, AppliedCommand>;
  for (const id of Object.keys(stored)) {
    const entry = stored[id];
    if (!Array.isArray(entry) || entry.length !== 3 || !entry.every((part) => typeof part === 'string')) {
      throw new TypeError(`not a stored command id: ${JSON.stringify(id)}`);
    }
    shard[id] = { requestHash: entry[0], firstRevision: entry[1], lastRevision: entry[2] };
  }
  return shard;
}

function writeCommands(shard: Readonly<Record<string, AppliedCommand>>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(shard).map((id) => [id, [shard[id].requestHash, shard[id].firstRevision, shard[id].lastRevision]])));
}

/**
 * The snapshot's text, and the body as a cache should keep it after writing it: its orders, draws and
 * command ids held as the text just written (lighter than parsed entries, and written again as they are).
 */
export function encodeSnapshot(body: SnapshotBody): { text: string; kept: SnapshotBody } {
  const written = serializeLines(body.state);
  const commandSlots = storedSlots(body.commands, writeCommands);
  const size = sizeOf(body.commands);
  const envelope = JSON.stringify({ position: body.position.toString(), chainHash: body.chainHash, commands: size, slots: slotMask(commandSlots) });
  const lines = [envelope, written.head];
  for (const { field, index, text } of written.shards) lines.push(`${APART_FIELDS[field]}:${index} ${text}`);
  for (let index = 0; index < commandSlots.length; index++) {
    const text = commandSlots[index];
    if (text !== null) lines.push(`${COMMANDS}:${index} ${text}`);
  }
  return {
    text: lines.join('\n'),
    kept: { ...body, state: written.state, commands: storedSharded(commandSlots, size, parseCommands, { writtenFrom: body.commands }) },
  };
}

/** A shard's line: its record, its slot and its text. */
const SHARD_LINE = /^(orders|draws|commands):(\d{1,2}) /;

/**
 * A snapshot written by `encodeSnapshot`. Throws a TypeError for text that is not one: every shard the
 * envelope (command ids) or the state's head (orders, draws) lists must be on a line, and no other. A
 * lost line of command ids must not read as ids never applied, which would apply a retried command twice.
 * A shard's text is checked when it is parsed, the first time an entry of it is asked for
 * (`BrokenStoredShardError`).
 */
export function decodeSnapshot(text: string): SnapshotBody {
  const lines = linesOf(text);
  if (lines.length < 2) throw new TypeError('not an account snapshot: fewer than two lines');
  const envelope = JSON.parse(lines[0]) as { position?: unknown; chainHash?: unknown; commands?: unknown; slots?: unknown } | null;
  if (envelope === null || typeof envelope.position !== 'string' || typeof envelope.chainHash !== 'string' || typeof envelope.commands !== 'number' || typeof envelope.slots !== 'string') {
    throw new TypeError('not an account snapshot: its first line lacks the position, chain hash or command ids');
  }
  const shards = RECORDS.map(() => new Array<string | null>(SHARDS).fill(null));
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i];
    const key = SHARD_LINE.exec(line);
    const record = key === null ? -1 : RECORDS.indexOf(key[1]);
    const index = key === null ? -1 : Number(key[2]);
    if (key === null || index >= SHARDS || shards[record][index] !== null) throw new TypeError(`not an account snapshot: line ${i + 1} is not one shard of orders, draws or commands`);
    shards[record][index] = line.slice(key[0].length);
  }
  const commandSlots = shards[RECORDS.indexOf(COMMANDS)];
  slotsOfMask(envelope.slots).forEach((listed, index) => {
    if (listed !== (commandSlots[index] !== null)) throw new TypeError(`not an account snapshot: shard ${index} of its command ids is ${listed ? 'lost' : 'not listed'}`);
  });
  // Every line is kept in the text's own form, so one test tells the bytes a character of each takes.
  const bytesPerChar = bytesPerCharOf(text);
  let asked = 0;
  const state = deserializeLines(
    lines[1],
    (field, index) => {
      asked++;
      return shards[field][index] ?? undefined;
    },
    bytesPerChar,
  );
  if (state === null || typeof state !== 'object' || Array.isArray(state) || typeof state.accountId !== 'string') throw new TypeError('not an account snapshot: its second line is not a state');
  const given = APART_FIELDS.reduce((n, _, field) => n + shards[field].filter((shard) => shard !== null).length, 0);
  if (given !== asked) throw new TypeError('not an account snapshot: it holds a shard of orders or draws its state does not list');
  return {
    state,
    position: BigInt(envelope.position),
    commands: storedSharded(commandSlots, envelope.commands, parseCommands, { bytesPerChar }),
    chainHash: envelope.chainHash,
    heldTextBytes: (lines[0].length + lines[1].length) * bytesPerChar,
  };
}

/** The lines of a text, cut out of it (`split` copied each, at three times the cost). */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  for (let at = 0; ;) {
    const end = text.indexOf('\n', at);
    if (end < 0) {
      lines.push(text.slice(at));
      return lines;
    }
    lines.push(text.slice(at, end));
    at = end + 1;
  }
}

/** A snapshot of envelope 2 (one JSON object; its state in any readable state version). */
export function decodeJsonSnapshot(text: string): SnapshotBody {
  const body = JSON.parse(text) as {
    state: string;
    position: string;
    commands: Record<string, AppliedCommand>;
    chainHash: string;
  };
  return {
    state: deserializeState(body.state),
    position: BigInt(body.position),
    commands: withEntries(emptySharded<AppliedCommand>(), Object.entries(body.commands)),
    chainHash: body.chainHash,
  };
}
