import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ledger/servicing';
import { defaultAccess } from './access-policy';
import { ApiKeyRing, loadApiKeys, parseApiKeys } from './api-keys';

const OPERATOR = 'operator-key-aaaaaaaaaaaaaaaa';
const AUDITOR = 'auditor-key-bbbbbbbbbbbbbbbbb';

describe('API keys', () => {
  it('authenticates role:key and role:name:key entries and names the key', () => {
    const ring = parseApiKeys(`operator:ops-desk:${OPERATOR}, auditor:${AUDITOR}`, 'LEDGER_API_KEYS');
    expect(ring.authenticate(OPERATOR)).toEqual({ role: 'operator', name: 'ops-desk' });
    expect(ring.authenticate(AUDITOR)).toEqual({
      role: 'auditor',
      name: expect.stringMatching(/^auditor-[0-9a-f]{8}$/),
    });
    expect(ring.authenticate('operator-key-aaaaaaaaaaaaaaab')).toBeNull();
    expect(ring.authenticate('')).toBeNull();
  });

  it('keeps only digests, never the clear key', () => {
    const ring = parseApiKeys(`viewer:wall:${OPERATOR}`, 'LEDGER_API_KEYS');
    expect(JSON.stringify(ring)).not.toContain(OPERATOR);
    expect(JSON.stringify(Object.values(ring))).not.toContain(OPERATOR);
  });

  it('accepts a key that itself holds colons when the entry names it', () => {
    const ring = parseApiKeys('viewer:wall:abc:def:ghi:jkl:mnop', 'LEDGER_API_KEYS');
    expect(ring.authenticate('abc:def:ghi:jkl:mnop')).toEqual({ role: 'viewer', name: 'wall' });
  });

  it.each([
    ['an unknown role', `admin:${OPERATOR}`, /unknown role/],
    ['an entry without a key', 'operator', /role:key/],
    ['a key shorter than 16 characters', 'operator:short', /shorter than 16/],
    ['a name with spaces', `operator:ops desk:${OPERATOR}`, /key name/],
    ['a name given twice', `operator:desk:${OPERATOR},auditor:desk:${AUDITOR}`, /entry 2: the key name "desk" is given twice/],
    ['the same key twice', `operator:desk:${OPERATOR},viewer:wall:${OPERATOR}`, /entry 2: the same key is given twice/],
    ['a secret where the name goes (name and key swapped)', 'operator:5f0c9e2a7b1d4c8e9f3a6b2d1c0e7f4a8b9c2d3e4f5a6b7c:grafana-dashboard-2026b', /entry 1: the key name looks like a secret \(48 characters, not shown\)/],
  ])('refuses %s with a ConfigError naming the variable', (_what, text, message) => {
    expect(() => parseApiKeys(text, 'LEDGER_API_KEYS')).toThrow(ConfigError);
    expect(() => parseApiKeys(text, 'LEDGER_API_KEYS')).toThrow(message);
  });

  it('keeps a secret out of the error line when an entry starts with it', () => {
    const secret = 'Zq7mR2vX9kP4tL8wN3bC6yH1';
    expect(() => parseApiKeys(`${secret}:operator`, 'LEDGER_API_KEYS')).toThrow(/^LEDGER_API_KEYS: entry 1: unknown role of 24 characters \(not shown/);
    expect(() => parseApiKeys(`${secret}:operator`, 'LEDGER_API_KEYS')).not.toThrow(new RegExp(secret));
  });

  it('skips a comment line whole, commas and all, and names the line of an entry it refuses', () => {
    const ring = parseApiKeys(`# the desk, rotated 2026-12\noperator:desk:${OPERATOR}, auditor:${AUDITOR}\n`, 'LEDGER_API_KEYS_FILE');
    expect(ring.size).toBe(2);
    expect(() => parseApiKeys(`# keys\noperator:desk:${OPERATOR}\nauditor:short`, 'LEDGER_API_KEYS_FILE')).toThrow(/^LEDGER_API_KEYS_FILE: line 3: an auditor key is shorter than 16 characters$/);
    expect(() => parseApiKeys(`operator:desk:${OPERATOR}\nviewer:wall:${AUDITOR},admin:${OPERATOR}`, 'LEDGER_API_KEYS_FILE')).toThrow(/^LEDGER_API_KEYS_FILE: line 2, entry 2: unknown role "admin"/);
    expect(() => parseApiKeys('viewer:short', 'LEDGER_API_KEYS')).toThrow(/^LEDGER_API_KEYS: entry 1: a viewer key is shorter/);
    // One line (the variable): only the entry that begins with '#' is skipped, as before.
    expect(parseApiKeys(`#note,operator:desk:${OPERATOR}`, 'LEDGER_API_KEYS').authenticate(OPERATOR)).toEqual({ role: 'operator', name: 'desk' });
  });

  it('reads a key file with one entry a line and comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-keys-')), 'keys');
    writeFileSync(file, `# the operations desk\noperator:desk:${OPERATOR}\n\nauditor:${AUDITOR}\n`);
    const { ring, demoKeys } = loadApiKeys({ apiKeys: undefined, apiKeysFile: file }, {});
    expect(demoKeys).toBeNull();
    expect(ring.size).toBe(2);
    expect(ring.authenticate(OPERATOR)?.name).toBe('desk');
  });

  it('refuses to start in production without keys', () => {
    expect(() =>
      loadApiKeys({ apiKeys: undefined, apiKeysFile: undefined }, { NODE_ENV: 'production' }),
    ).toThrow(/production needs API keys/);
  });

  it('generates one fresh key per role in development and enforces them', () => {
    const first = loadApiKeys({ apiKeys: undefined, apiKeysFile: undefined }, {});
    const second = loadApiKeys({ apiKeys: undefined, apiKeysFile: undefined }, {});
    expect(Object.keys(first.demoKeys ?? {})).toEqual(['operator', 'auditor', 'viewer']);
    expect(first.ring.authenticate(first.demoKeys!.auditor)).toEqual({
      role: 'auditor',
      name: 'demo-auditor',
    });
    expect(second.ring.authenticate(first.demoKeys!.auditor)).toBeNull();
  });

  it('an empty ring authenticates nothing', () => {
    expect(new ApiKeyRing().authenticate(OPERATOR)).toBeNull();
  });
});

describe('the default access policy', () => {
  it.each([
    ['POST', '/accounts/a/draws', ['operator']],
    ['PUT', '/operations/clock', ['operator']],
    ['POST', '/operations/end-of-day', ['operator']],
    ['GET', '/accounts/a/history', ['auditor', 'operator']],
    ['GET', '/accounts/a/HISTORY', ['auditor', 'operator']],
    ['GET', '/Accounts/a/History/', ['auditor', 'operator']],
    ['POST', '/audit/verify', ['auditor', 'operator']],
    ['GET', '/accounts/a/statements', ['operator', 'auditor', 'viewer']],
    ['GET', '/portfolio', ['operator', 'auditor', 'viewer']],
    ['GET', '/operations/clock', ['operator', 'auditor', 'viewer']],
    ['GET', '/operations/end-of-day/status', ['operator', 'auditor']],
    ['GET', '/health', 'open'],
    ['GET', '/metrics', 'open'],
    ['GET', '/dashboard/app.js', 'open'],
    ['GET', '/docs-json', 'open'],
    ['GET', '/docs-yaml', 'open'],
    // A name that only begins like an open route is not open.
    ['GET', '/health-admin', ['operator', 'auditor']],
    ['POST', '/metrics-reset', ['operator']],
    ['GET', '/docs-json-internal', ['operator', 'auditor']],
  ])('lets %s %s to %j', (method, path, roles) => {
    expect(defaultAccess(method, path)).toEqual(roles);
  });
});
