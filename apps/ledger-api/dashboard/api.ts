/// <reference lib="dom" />
/**
 * The page's only source of figures: the ledger's query API, same origin. Requests carry the API key kept
 * in localStorage as a Bearer token (a viewer key is enough for everything but the audit timeline); a 401
 * asks the user for a key (through `onUnauthorized`) and the page retries on the next refresh. A 403 is a
 * key whose role may not read that endpoint: the caller explains it where the panel would be.
 */
const KEY_STORAGE = 'ledger.apiKey';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let unauthorizedListener: () => void = () => undefined;

/**
 * Whether reads of the read models take what they hold now (`?consistency=eventual`) instead of waiting
 * for the head of the log. The page sets it while /health says the projections are not following the
 * log (the projector stalled, a failed batch, a rebuild): a waiting read would only time out after 5 s
 * and answer 503, so the page reads what there is and says by how many events it is behind.
 */
let eventualReads = false;

export function readEventually(on: boolean): void {
  eventualReads = on;
}

export function readingEventually(): boolean {
  return eventualReads;
}

/** A read-model route (never the log's: history, explanations, quotes) with the consistency the page reads at. */
export function readModel(path: string): string {
  return eventualReads ? `${path}${path.includes('?') ? '&' : '?'}consistency=eventual` : path;
}

export function onUnauthorized(listener: () => void): void {
  unauthorizedListener = listener;
}

export function apiKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/** GET a JSON resource. `acceptStatuses` lets /health answer 503 with a body worth showing. */
export async function get<T>(path: string, acceptStatuses: number[] = []): Promise<T> {
  const key = apiKey();
  const response = await fetch(path, { headers: { Accept: 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) } });
  if (response.ok || acceptStatuses.includes(response.status)) return (await response.json()) as T;
  if (response.status === 401) unauthorizedListener();
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: string; message?: string };
    code = body.error ?? code;
    message = body.message ?? message;
  } catch {
    // A body that is not the API's JSON error (a proxy's page, say) keeps the status line as the message.
  }
  throw new ApiRequestError(response.status, code, message);
}

/** An answer, or the error it failed with. */
export type Settled<T> = { value: T } | { error: Error };

/** For a card that says in itself why its answer failed, while the rest of the page draws. */
export async function settle<T>(request: Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await request };
  } catch (error) {
    return { error: error as Error };
  }
}
