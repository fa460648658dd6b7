import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { chainHashOf } from './chain-hash';

describe('the chain hash', () => {
  const data = { z: 1, a: [3, undefined, { y: 'é', b: null }], m: undefined, 中: '分付', n: { d: 1.5, c: true } };

  it('hashes the same bytes as it always has (a stored chain is checked against it)', () => {
    // Both values were computed by the implementation before this spec, which hashed part by part.
    expect(canonicalJson(data)).toBe('{"a":[3,null,{"b":null,"y":"é"}],"n":{"c":true,"d":1.5},"z":1,"中":"分付"}');
    const metadata = { commandId: 'c', recordedAt: 'x', chainHash: 'y', actor: 'op' };
    expect(chainHashOf('abc', { stream: 'credit-account-acc-1', id: 'e-1', type: 'DrawPosted', data, metadata })).toBe(
      'bdc51ea8b7139a6c52a501baab55ff09bbdbb56650c5fae823cbd4939af8ced4',
    );
  });

  it('writes a hole in an array as null, as the store gives it back, so a chain hashed at append verifies after reading', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect(canonicalJson({ a: sparse })).toBe(canonicalJson(JSON.parse(JSON.stringify({ a: sparse }))));
    expect(canonicalJson(new Array(2))).toBe('[null,null]');
  });

  it('does not depend on key order, or on a round trip through the store', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
        const reversed = (v: unknown): unknown =>
          v === null || typeof v !== 'object' ? v : Array.isArray(v) ? v.map(reversed) : Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
        expect(canonicalJson(reversed(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
