import { BrokenStoredShardError, emptySharded, getEntry, initialState, Money, serializeState, StoredShard, withEntries } from '@ledger/credit';
import type { Snapshot } from '@ledger/event-store';
import { type AppliedCommand, decodeLinesSnapshot, decodeSnapshot, encodeLinesSnapshot, encodeSnapshot } from './snapshot-body';
import { partsOf } from './snapshot-testing';

const applied = (n: number): AppliedCommand => ({ requestHash: `sha256:${String(n).padStart(64, '0')}`, firstRevision: String(n), lastRevision: String(n + 1) });

/** Ids a client may send as an Idempotency-Key: line breaks, spaces, colons, object members, CJK. */
const ODD_IDS = ['__proto__', 'toString', 'key with spaces', 'commands:3 {"x":1}', 'line\nbreak', 'tab\there', '\u2028separator', '京东-订单-1'];

function body(ids: string[], holderName = 'Li*') {
  const state = { ...initialState('acc-1'), holder: { idNumberHash: 'hmac:1', idNumberMasked: '110***1234', nameMasked: holderName } };
  return { state, position: 41n, commands: withEntries(emptySharded<AppliedCommand>(), ids.map((id, i) => [id, applied(i)] as const)), chainHash: 'c'.repeat(64) };
}

describe('an account snapshot as lines (envelope 3)', () => {
  it('reads back every command id, however odd, with its request hash and revisions, and the state, position and chain hash', () => {
    const ids = [...ODD_IDS, ...Array.from({ length: 200 }, (_, i) => `draw:o-${i}`)];
    const { text } = encodeLinesSnapshot(body(ids));
    const read = decodeLinesSnapshot(text);
    ids.forEach((id, i) => expect(getEntry(read.commands, id)).toEqual(applied(i)));
    expect(getEntry(read.commands, 'draw:o-200')).toBeUndefined();
    expect(getEntry(read.commands, 'constructor')).toBeUndefined();
    expect(read).toMatchObject({ position: 41n, chainHash: 'c'.repeat(64) });
    expect(serializeState(read.state)).toBe(serializeState(body(ids).state));
    // Written again from what was read, shard for shard the same text.
    expect(encodeLinesSnapshot(read).text).toBe(text);
  });

  it('keeps each command id as an array of its hash and revisions, and refuses a stored entry of another shape when it is looked up', () => {
    const { text } = encodeLinesSnapshot(body(['draw:o-1']));
    const line = text.split('\n').find((l) => l.startsWith('commands:'))!;
    expect(line.slice(line.indexOf(' ') + 1)).toBe(JSON.stringify({ 'draw:o-1': [applied(0).requestHash, '0', '1'] }));
    const damaged = decodeLinesSnapshot(text.replace(`["${applied(0).requestHash}","0","1"]`, `["${applied(0).requestHash}","0"]`));
    expect(() => getEntry(damaged.commands, 'draw:o-1')).toThrow(BrokenStoredShardError);
  });

  it('weighs every line in the form of the whole text: two bytes a character once any character of it is beyond Latin-1', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `draw:o-${i}`);
    const textBytes = (holderName: string) =>
      decodeLinesSnapshot(encodeLinesSnapshot(body(ids, holderName)).text)
        .commands.filter((slot): slot is StoredShard => slot instanceof StoredShard)
        .map((shard) => shard.textBytes / shard.text.length);
    // The Chinese name is in the state's head, not on any line of command ids.
    expect(new Set(textBytes('张*'))).toEqual(new Set([2]));
    expect(new Set(textBytes('Li*'))).toEqual(new Set([1]));
    // The first two lines, which no shard weighs, are held with the text too.
    for (const [name, perChar] of [['张*', 2], ['Li*', 1]] as const) {
      const text = encodeLinesSnapshot(body(ids, name)).text;
      const lines = text.split('\n');
      expect(decodeLinesSnapshot(text).heldTextBytes).toBe((lines[0].length + lines[1].length) * perChar);
    }
  });

  it('keeps, after writing, the shards it had parsed, and holds the rest as the text written', () => {
    const written = encodeLinesSnapshot(body(['draw:o-1', 'draw:o-2']));
    const read = decodeLinesSnapshot(written.text);
    expect(getEntry(read.commands, 'draw:o-1')).toEqual(applied(0));
    const parsedBefore = read.commands.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined);
    const again = encodeLinesSnapshot(read).kept.commands;
    expect(again.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined)).toEqual(parsedBefore);
    expect(parsedBefore).toHaveLength(1);
  });
});

/** A snapshot saved as envelope 4 into a map of parts, as a store keeps them, and what it read back. */
class Saved {
  readonly parts = new Map<string, Snapshot<string>>();
  readonly read: string[] = [];
  text = '';
  revision = 0n;

  save(body: ReturnType<typeof decodeSnapshot>, revision: bigint, owner: object = {}) {
    const encoded = encodeSnapshot(body, revision, owner);
    this.text = encoded.text;
    this.revision = revision;
    for (const part of encoded.parts) this.parts.set(part.name, { revision, schemaVersion: 504, state: part.text });
    return encoded;
  }

  load(owner: object = {}, schemaVersion = 504) {
    return decodeSnapshot(this.text, { revision: this.revision, schemaVersion }, (name) => (this.read.push(name), this.parts.get(name)), owner);
  }
}

describe('an account snapshot with its shards in parts (envelope 4)', () => {
  const ids = [...ODD_IDS, ...Array.from({ length: 200 }, (_, i) => `draw:o-${i}`)];

  it('reads back every command id, however odd, and the state, position and chain hash, reading a part only when an entry of it is asked for', () => {
    const saved = new Saved();
    const { parts, text } = saved.save(body(ids), 9n);
    // Two lines: every shard is a part of its own, named by record and slot.
    expect(text.split('\n')).toHaveLength(2);
    expect(parts.length).toBeGreaterThan(40);
    expect(parts.every((part) => /^c\d{1,2}$/.test(part.name))).toBe(true);
    const read = saved.load();
    expect(saved.read).toEqual([]);
    expect(getEntry(read.commands, 'line\nbreak')).toEqual(applied(ODD_IDS.indexOf('line\nbreak')));
    expect(saved.read).toHaveLength(1);
    ids.forEach((id, i) => expect(getEntry(read.commands, id)).toEqual(applied(i)));
    expect(getEntry(read.commands, 'draw:o-200')).toBeUndefined();
    expect(getEntry(read.commands, 'constructor')).toBeUndefined();
    expect(read).toMatchObject({ position: 41n, chainHash: 'c'.repeat(64) });
    expect(serializeState(read.state)).toBe(serializeState(body(ids).state));
  });

  it('saves again only the shards changed since, naming the others with the revision they were saved at', () => {
    const saved = new Saved();
    const first = saved.save(body(ids), 9n);
    const known = {};
    const read = saved.load(known);
    // Nothing changed: no part is saved, and none was read to write the snapshot.
    const again = encodeSnapshot(read, 12n, known);
    expect(again.parts).toEqual([]);
    expect(saved.read).toEqual([]);
    expect(again.text).toBe(first.text);
    expect(partsOf(read)).toEqual(Object.fromEntries(first.parts.map((part) => [part.name, '9'])));
    // One id added: its shard alone is saved, at the new revision.
    const changed = { ...read, commands: withEntries(read.commands, [['draw:o-new', applied(999)]]) };
    const next = saved.save(changed, 15n, known);
    expect(next.parts).toHaveLength(1);
    const listed = partsOf(saved.load());
    expect(Object.entries(listed).filter(([, at]) => at === '15')).toEqual([[next.parts[0].name, '15']]);
    expect(Object.values(listed).filter((at) => at === '9')).toHaveLength(first.parts.length - 1);
    const reread = saved.load();
    expect(getEntry(reread.commands, 'draw:o-new')).toEqual(applied(999));
    ids.forEach((id, i) => expect(getEntry(reread.commands, id)).toEqual(applied(i)));
  });

  it('names in its uses the parts it saves no longer, and saves again those of another repository or of a save that was not kept', () => {
    const saved = new Saved();
    const first = saved.save(body(ids), 9n);
    const owner = {};
    const again = encodeSnapshot(saved.load(owner), 12n, owner);
    expect(again.uses).toEqual(first.parts.map((part) => ({ name: part.name, revision: 9n })));
    expect(again.homes.size).toBe(2);
    // Another repository (its own owner) knows nothing of what this one saved: it reads and saves every part.
    expect(encodeSnapshot(saved.load(owner), 12n, {}).parts.map((part) => part.name)).toEqual(first.parts.map((part) => part.name));
    expect(saved.read).toHaveLength(first.parts.length);
    // A save not kept: every shard it saved or named is saved again by the next snapshot.
    const read = saved.load(owner);
    const dropped = encodeSnapshot(read, 12n, owner);
    dropped.homes.forEach((home) => (home.kept = false));
    expect(encodeSnapshot(dropped.kept, 13n, owner).parts).toHaveLength(first.parts.length);
  });

  it('saves orders and draws as parts too, and reads a state that holds them the same', () => {
    const state = { ...body([]).state, orders: withEntries(emptySharded(), [['o-1', { outcome: 'DECLINED', amount: undefined, merchant: '京东', reason: 'LIMIT' }]]) };
    const saved = new Saved();
    const { parts } = saved.save({ ...body([]), state: state as never }, 3n);
    expect(parts.map((part) => part.name)).toEqual([expect.stringMatching(/^o\d+$/)]);
    expect(serializeState(saved.load().state)).toBe(serializeState(state as never));
  });

  it('saves repayment references as parts, and refuses a text whose list of them is missing or not a list while its state holds some', () => {
    const state = { ...body([]).state, repayments: withEntries(emptySharded<Money>(), ['r-1', '10', '__proto__'].map((id) => [id, Money.of('1.00')] as const)) };
    const saved = new Saved();
    const { parts, text } = saved.save({ ...body([]), state }, 3n);
    expect(parts.map((part) => part.name).every((name) => /^r\d+$/.test(name))).toBe(true);
    expect(parts.length).toBeGreaterThan(0);
    const read = saved.load();
    expect(getEntry(read.state.repayments, '__proto__')?.toString()).toBe('1.00');
    expect(serializeState(read.state)).toBe(serializeState(state));
    const [envelope, head] = text.split('\n');
    const first = JSON.parse(envelope) as { parts: Record<string, unknown> };
    const { r: _r, ...withoutR } = first.parts;
    // A snapshot of a state version before 6 lists no repayment parts (its head holds the references);
    // one whose head lists repayment slots must list them.
    for (const parts of [withoutR, { ...withoutR, r: null }, { ...withoutR, r: [] }]) {
      expect(() => decodeSnapshot(`${JSON.stringify({ ...first, parts })}\n${head}`, { revision: 3n, schemaVersion: 604 }, () => undefined, {})).toThrow(TypeError);
    }
  });

  it('makes a shard broken, not absent, when its part is lost, replaced since or of another schema version', () => {
    const cases: Array<[string, (saved: Saved) => void, number?]> = [
      ['lost', (saved) => saved.parts.clear()],
      ['replaced', (saved) => saved.parts.forEach((part, name) => saved.parts.set(name, { ...part, revision: part.revision + 1n }))],
      // Older than listed: a part another writer saved from an older state (it may lack ids applied since).
      ['older', (saved) => saved.parts.forEach((part, name) => saved.parts.set(name, { ...part, revision: part.revision - 1n }))],
      ['of another version', () => undefined, 505],
    ];
    for (const [, damage, version] of cases) {
      const saved = new Saved();
      saved.save(body(ids), 9n);
      damage(saved);
      const read = saved.load({}, version);
      expect(() => getEntry(read.commands, 'draw:o-1')).toThrow(BrokenStoredShardError);
      expect(() => getEntry(read.commands, 'draw:o-never')).toThrow(BrokenStoredShardError);
    }
  });

  it('refuses a text whose parts and slot lists disagree, or that is not two lines', () => {
    const saved = new Saved();
    const owner = {};
    saved.save(body(ids.slice(0, 3)), 9n);
    // Saved again at 12 with one more id: two revisions listed.
    const { text } = saved.save({ ...saved.load(owner), commands: withEntries(saved.load(owner).commands, [['draw:o-new', applied(999)]]) }, 12n, owner);
    const [envelope, head] = text.split('\n');
    const first = JSON.parse(envelope) as { parts: { at: string[]; o: number[]; d: number[]; c: number[] }; slots: string };
    expect(first.parts.at).toEqual(['9', '12']);
    expect(new Set(first.parts.c)).toEqual(new Set([0, 1]));
    const withParts = (change: object) => `${JSON.stringify({ ...first, parts: { ...first.parts, ...change } })}\n${head}`;
    const broken = [
      withParts({ c: [...first.parts.c, 0] }),
      withParts({ c: first.parts.c.slice(1) }),
      withParts({ c: [2, ...first.parts.c.slice(1)] }),
      withParts({ c: [-1, ...first.parts.c.slice(1)] }),
      withParts({ c: ['0', ...first.parts.c.slice(1)] }),
      withParts({ at: ['9', 'twelve'] }),
      withParts({ at: ['9', '-1'] }),
      withParts({ at: ['9', 12] }),
      // A part saved later than the snapshot that names it.
      withParts({ at: ['9', '13'] }),
      withParts({ o: undefined }),
      withParts({ x: [] }),
      `${JSON.stringify({ ...first, parts: undefined })}\n${head}`,
      `${JSON.stringify({ ...first, slots: '0'.repeat(16) })}\n${head}`,
      `${text}\norders:1 {}`,
      envelope,
    ];
    for (const damaged of broken) {
      saved.text = damaged;
      expect(() => saved.load()).toThrow(TypeError);
    }
  });
});
