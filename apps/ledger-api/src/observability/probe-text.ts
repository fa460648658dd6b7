/**
 * What the open health probes may say of a failure. The probes take no key, and the store's own error
 * text can name where the ledger runs: an EventStoreDB client's "connect ECONNREFUSED 10.0.4.2:2113" or
 * its connection string, a file's path. Those are replaced by what they are; the rest of the text stays,
 * since it is what tells an operator why (ECONNREFUSED, SQLITE_BUSY, a deadline). The log line of the
 * readiness change keeps the text whole.
 */
const CONNECTION_STRING = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`,;)]+/gi;
/** In brackets, or bare with a `::` or seven colons (a time of day has two). */
const IPV6 = /\[[0-9a-f:.]*:[0-9a-f:.]*\](?::\d+)?|(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%\w+)?(?![\w:])/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g;
/**
 * A name with a letter and a port (`esdb-0.ledger.svc:2113`; a time of day is digits, and no port starts
 * with 0), or a dotted host name under a common suffix (`esdb.internal`).
 */
const HOST = /\b(?=[\w.-]*[a-z])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*:[1-9]\d{1,4}\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|svc|cluster|corp|com|net|org|io|cn)\b/gi;
const PATH = /(?<![\w.])(?:\/[\w.@+-]+){2,}\/?|\b[a-z]:\\[^\s'"`]*/gi;

export function probeText(text: string): string;
export function probeText(text: string | null): string | null;
export function probeText(text: string | null): string | null {
  if (text === null) return null;
  return text
    .replace(CONNECTION_STRING, '<connection string>')
    .replace(IPV6, '<address>')
    .replace(IPV4, '<address>')
    .replace(HOST, '<host>')
    .replace(PATH, '<path>');
}
