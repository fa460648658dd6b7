/**
 * API keys with roles. Keys arrive as `role:key` or `role:name:key` pairs (LEDGER_API_KEYS, comma
 * separated, or a file named by LEDGER_API_KEYS_FILE) and are kept only as SHA-256 digests: the clear
 * key is dropped as soon as it is hashed, so a heap dump or a log line never holds one.
 *
 * A presented key is hashed and compared with every stored digest in constant time, without stopping at
 * the first match, so the time taken says nothing about which key, or how much of one, was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type LedgerConfig } from '@ledger/servicing';

export const ROLES = ['operator', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

interface StoredKey extends Principal {
  digest: Buffer;
}

/** A key shorter than this is too easy to guess to protect a ledger. */
const MIN_KEY_LENGTH = 16;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A name that reads like a secret (32 or more hex digits, or a long random-looking token): name and key swapped? */
const SECRET_LIKE = /^(?:[0-9a-f]{32,}|[0-9A-F]{32,}|(?=[^_.-]*\d)(?=[^_.-]*[a-z])(?=[^_.-]*[A-Z])[A-Za-z0-9_-]{32,})$/;

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export class ApiKeyRing {
  private readonly keys: StoredKey[] = [];

  /** Adds a key; the clear key is not kept. */
  add(role: Role, name: string, key: string): void {
    this.keys.push({ role, name, digest: digest(key) });
  }

  get size(): number {
    return this.keys.length;
  }

  /** The principal a presented key belongs to, or null. */
  authenticate(presented: string): Principal | null {
    const candidate = digest(presented);
    let found: Principal | null = null;
    for (const key of this.keys) {
      if (timingSafeEqual(candidate, key.digest) && found === null)
        found = { name: key.name, role: key.role };
    }
    return found;
  }
}

/**
 * The entries of a keys text, each with where it is: split at line ends and commas. In a text of several
 * lines (a keys file) a line that begins with `#` is a comment whole, commas and all; an entry that
 * begins with `#` is skipped too, and is all a one-line value (`LEDGER_API_KEYS`) skips. Where the
 * text has several lines, `at` names the line (and the entry on it, where it has several).
 */
function keyEntries(text: string): { entry: string; at: string }[] {
  const lines = text.split('\n');
  const entries: { entry: string; at: string }[] = [];
  let counted = 0;
  for (const [l, line] of lines.entries()) {
    // In a file of lines; a one-line value (LEDGER_API_KEYS) skips only the entries that begin with '#'.
    if (lines.length > 1 && line.trim().startsWith('#')) continue;
    const parts = line.split(',');
    for (const [i, part] of parts.entries()) {
      const entry = part.trim();
      if (entry === '' || entry.startsWith('#')) continue;
      counted++;
      const at = lines.length === 1 ? `entry ${counted}` : parts.length === 1 ? `line ${l + 1}` : `line ${l + 1}, entry ${i + 1}`;
      entries.push({ entry, at });
    }
  }
  return entries;
}

/**
 * Parses `role:key` and `role:name:key` entries separated by commas or new lines. The name defaults to
 * the role and a short fingerprint of the key, so events can say which key acted without revealing it.
 */
export function parseApiKeys(text: string, source: string, ring = new ApiKeyRing()): ApiKeyRing {
  const names = new Set<string>();
  const digests = new Set<string>();
  for (const { entry, at } of keyEntries(text)) {
    const parts = entry.split(':');
    if (parts.length < 2) throw new ConfigError(source, `${at}: each entry must be role:key or role:name:key`);
    const role = parts[0] as Role;
    if (!ROLES.includes(role)) {
      // A secret first (key:role) must not end up in the error line: name a short word only.
      const given = parts[0].length <= 12 && NAME.test(parts[0]) ? JSON.stringify(parts[0]) : `of ${parts[0].length} characters (not shown: a key first? the role comes first)`;
      throw new ConfigError(source, `${at}: unknown role ${given}; roles are ${ROLES.join(', ')}`);
    }
    // A key may itself hold colons: with three or more parts the second is the name and the rest the key.
    const key = parts.length === 2 ? parts[1] : parts.slice(2).join(':');
    if (key.length < MIN_KEY_LENGTH)
      throw new ConfigError(source, `${at}: ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} key is shorter than ${MIN_KEY_LENGTH} characters`);
    const name = parts.length >= 3 ? parts[1] : `${role}-${digest(key).toString('hex').slice(0, 8)}`;
    // The name is written into every command's metadata for good: a secret there would be published.
    if (SECRET_LIKE.test(name))
      throw new ConfigError(source, `${at}: the key name looks like a secret (${name.length} characters, not shown): entries are role:name:key, the name before the key`);
    if (!NAME.test(name))
      throw new ConfigError(
        source,
        `${at}: key name ${JSON.stringify(name)} must be 1-64 letters, digits, _ . or -`,
      );
    // Events say which key acted by its name: two keys under one name could not be told apart.
    if (names.has(name)) throw new ConfigError(source, `${at}: the key name ${JSON.stringify(name)} is given twice; give each key a name of its own`);
    const hex = digest(key).toString('hex');
    if (digests.has(hex)) throw new ConfigError(source, `${at}: the same key is given twice (under another name or role); give each key once`);
    names.add(name);
    digests.add(hex);
    ring.add(role, name, key);
  }
  return ring;
}

export interface LoadedKeys {
  ring: ApiKeyRing;
  /** Present only in demo mode: the generated keys, to print once at start. */
  demoKeys: Record<Role, string> | null;
}

/**
 * The keys the API enforces. Configured keys always win; without any, development gets one fresh key
 * per role (printed at start) and production refuses to start, because an open ledger is never wanted.
 */
export function loadApiKeys(
  config: Pick<LedgerConfig, 'apiKeys' | 'apiKeysFile'>,
  env: Record<string, string | undefined> = process.env,
): LoadedKeys {
  const ring = new ApiKeyRing();
  if (config.apiKeys) parseApiKeys(config.apiKeys, 'LEDGER_API_KEYS', ring);
  if (config.apiKeysFile) {
    let text: string;
    try {
      text = readFileSync(config.apiKeysFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        'LEDGER_API_KEYS_FILE',
        `cannot read ${config.apiKeysFile}: ${(error as Error).message}`,
      );
    }
    parseApiKeys(text, 'LEDGER_API_KEYS_FILE', ring);
  }
  if (ring.size > 0) return { ring, demoKeys: null };
  if (env.NODE_ENV === 'production')
    throw new ConfigError(
      'LEDGER_API_KEYS',
      'production needs API keys: set LEDGER_API_KEYS or LEDGER_API_KEYS_FILE',
    );
  const demoKeys = Object.fromEntries(
    ROLES.map((role) => [role, `demo-${role}-${randomBytes(18).toString('base64url')}`]),
  ) as Record<Role, string>;
  for (const role of ROLES) ring.add(role, `demo-${role}`, demoKeys[role]);
  return { ring, demoKeys };
}
