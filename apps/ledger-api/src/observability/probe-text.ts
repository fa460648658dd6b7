/**
 * What the open health probes may say of a failure. The probes take no key, and the store's own error
 * text can name where the ledger runs: an EventStoreDB client's "connect ECONNREFUSED 10.0.4.2:2113" or
 * its connection string, a file's path. Those are replaced by what they are; the rest of the text stays,
 * since it is what tells an operator why (ECONNREFUSED, SQLITE_BUSY, a deadline). The log line of the
 * readiness change keeps the text whole.
 *
 * Every pattern's repetitions are bounded, and the text is cut first: a probe must not spend more than
 * a few milliseconds, however long an error's text (unbounded patterns rescanned from every position
 * took 43 s over 100 kB).
 */
const MAX_LENGTH = 2_000;

const CONNECTION_STRING = /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s'"`]{1,2048}/gi;
/** An IPv4 address mapped into IPv6 (`::ffff:10.0.4.2`), before either alone takes part of it. */
const MAPPED_IPV4 = /(?:::ffff:)(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?/gi;
/** In brackets, or bare with a `::` or seven colons (a time of day has two). */
const IPV6 = /\[[0-9a-f:.%]{2,64}\](?::\d{1,5})?|(?<![\w:])(?=[0-9a-f:]{0,39}::|(?:[0-9a-f]{1,4}:){7})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%\w{1,16})?(?![\w:])/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
/** The name a lookup failed for, however short (`getaddrinfo ENOTFOUND esdb-0`). */
const LOOKED_UP = /\b(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME)\s+[^\s'"`,;)]{1,253}/g;
/**
 * A name with a letter and a port (`esdb-0.ledger.svc:2113`; no port starts with 0, and a time is
 * followed by its seconds, `T18:45:12`), or a dotted host name under a common suffix (`esdb.internal`).
 */
const HOST =
  /\b(?=[\w.-]{0,253}[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){0,10}:[1-9]\d{1,4}(?![\d:.])|\b[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,10}\.(?:internal|local|lan|svc|cluster|corp|com|net|org|io|cn|dev)\b/gi;
/** Any absolute path of two parts or more, a Windows or UNC one; then a file of the ledger's kinds wherever it lies (`data/demo/ledger.sqlite`, `/ledger.sqlite`). */
const PATH = /(?<![\w.])(?:\/[\w.@+-]{1,255}){2,64}\/?|\b[a-z]:\\[^\s'"`]{1,512}|\\\\[^\s'"`]{1,512}/gi;
const LEDGER_FILE = /(?<![\w.])[\w./\\-]{0,512}\.(?:sqlite|db|wal|shm|json|log|pem|key|js|mjs|cjs|ts)\b/gi;

export function probeText(text: string): string;
export function probeText(text: string | null): string | null;
export function probeText(text: string | null): string | null {
  if (text === null) return null;
  // Read past the cut, then cut: an address or a name across the 2,000th character is replaced whole.
  const said = text
    .slice(0, 2 * MAX_LENGTH)
    .replace(CONNECTION_STRING, '<connection string>')
    .replace(MAPPED_IPV4, '<address>')
    .replace(IPV6, '<address>')
    .replace(IPV4, '<address>')
    .replace(LOOKED_UP, '$1 <host>')
    .replace(PATH, '<path>')
    .replace(LEDGER_FILE, '<path>')
    .replace(HOST, '<host>');
  if (text.length <= MAX_LENGTH && said.length <= MAX_LENGTH) return said;
  // Cut at a space where one is near, so no name is left in part.
  const space = said.lastIndexOf(' ', MAX_LENGTH);
  return `${said.slice(0, space > MAX_LENGTH - 200 ? space : MAX_LENGTH)}... (${text.length} characters; the log has them all)`;
}
