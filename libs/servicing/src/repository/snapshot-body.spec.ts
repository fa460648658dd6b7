import { BrokenStoredShardError, emptySharded, getEntry, initialState, serializeState, StoredShard, withEntries } from '@ledger/credit';
import { type AppliedCommand, decodeSnapshot, encodeSnapshot } from './snapshot-body';

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
    const { text } = encodeSnapshot(body(ids));
    const read = decodeSnapshot(text);
    ids.forEach((id, i) => expect(getEntry(read.commands, id)).toEqual(applied(i)));
    expect(getEntry(read.commands, 'draw:o-200')).toBeUndefined();
    expect(getEntry(read.commands, 'constructor')).toBeUndefined();
    expect(read).toMatchObject({ position: 41n, chainHash: 'c'.repeat(64) });
    expect(serializeState(read.state)).toBe(serializeState(body(ids).state));
    // Written again from what was read, shard for shard the same text.
    expect(encodeSnapshot(read).text).toBe(text);
  });

  it('keeps each command id as an array of its hash and revisions, and refuses a stored entry of another shape when it is looked up', () => {
    const { text } = encodeSnapshot(body(['draw:o-1']));
    const line = text.split('\n').find((l) => l.startsWith('commands:'))!;
    expect(line.slice(line.indexOf(' ') + 1)).toBe(JSON.stringify({ 'draw:o-1': [applied(0).requestHash, '0', '1'] }));
    const damaged = decodeSnapshot(text.replace(`["${applied(0).requestHash}","0","1"]`, `["${applied(0).requestHash}","0"]`));
    expect(() => getEntry(damaged.commands, 'draw:o-1')).toThrow(BrokenStoredShardError);
  });

  it('weighs every line in the form of the whole text: two bytes a character once any character of it is beyond Latin-1', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `draw:o-${i}`);
    const textBytes = (holderName: string) =>
      decodeSnapshot(encodeSnapshot(body(ids, holderName)).text)
        .commands.filter((slot): slot is StoredShard => slot instanceof StoredShard)
        .map((shard) => shard.textBytes / shard.text.length);
    // The Chinese name is in the state's head, not on any line of command ids.
    expect(new Set(textBytes('张*'))).toEqual(new Set([2]));
    expect(new Set(textBytes('Li*'))).toEqual(new Set([1]));
    // The first two lines, which no shard weighs, are held with the text too.
    for (const [name, perChar] of [['张*', 2], ['Li*', 1]] as const) {
      const text = encodeSnapshot(body(ids, name)).text;
      const lines = text.split('\n');
      expect(decodeSnapshot(text).heldTextBytes).toBe((lines[0].length + lines[1].length) * perChar);
    }
  });

  it('keeps, after writing, the shards it had parsed, and holds the rest as the text written', () => {
    const written = encodeSnapshot(body(['draw:o-1', 'draw:o-2']));
    const read = decodeSnapshot(written.text);
    expect(getEntry(read.commands, 'draw:o-1')).toEqual(applied(0));
    const parsedBefore = read.commands.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined);
    const again = encodeSnapshot(read).kept.commands;
    expect(again.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined)).toEqual(parsedBefore);
    expect(parsedBefore).toHaveLength(1);
  });
});
