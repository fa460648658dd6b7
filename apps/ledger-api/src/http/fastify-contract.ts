/**
 * What the HTTP contract kept from Express when the API moved to Fastify (thirty-first performance
 * round): routes match as they did, bodies parse as they did, and the request hooks that run once a request
 * is answered (its log line, its metrics) still know the route it matched.
 */
import fastifyEtag from '@fastify/etag';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import secureJson from 'secure-json-parse';
import { requestId, type RoutedRequest } from '../observability/logging';
import { ApiError } from './errors';

/** A JSON body may be up to 64 kB (413 PAYLOAD_TOO_LARGE beyond). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export const FASTIFY_OPTIONS: FastifyServerOptions = {
  // A graceful shutdown answers every request the server has read, as Express did (Fastify would answer
  // those read after the shutdown began with 503).
  return503OnClosing: false,
  // Node's own keep-alive timeout, which Express kept. A connection that goes idle after a shutdown
  // began is closed when it times out, so Fastify's 72 s would hold the shutdown that long.
  keepAliveTimeout: 5_000,
  // Node's own bound on receiving a whole request (Fastify sets none): a client that trickles its body
  // cannot hold a connection for ever.
  requestTimeout: 300_000,
  routerOptions: {
    // Express matched paths whatever their case (`/Accounts/:id/HISTORY`), and the access policy is
    // written for that; the parameters keep their case.
    caseSensitive: false,
    // Express matched `/accounts/` as `/accounts` too.
    ignoreTrailingSlash: true,
    // Express set no bound on a path parameter; Fastify's default (100 characters) would answer a longer
    // account id with 404 rather than with the ledger's own refusal of it. Node refuses a request line
    // beyond its 16 KiB of headers first.
    maxParamLength: 16_384,
  },
  frameworkErrors: answerUnroutable as FastifyServerOptions['frameworkErrors'],
};

/**
 * A path Fastify cannot route (bad percent-encoding) is answered in the ledger's own form, with a request
 * id; it never reaches the hooks, so it has no log line or helmet headers.
 */
function answerUnroutable(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  // The caller's id when it is a sane token, as for every other request (`logRequest`).
  requestId(request.raw, reply.raw);
  void reply.code(400).send({ error: 'MALFORMED_REQUEST', message: `the request's path could not be read: ${error.message}`, details: [] });
}

/**
 * JSON bodies only, read as Express's body parser read them: an empty body is `{}`, and anything but an
 * object or an array is refused (its `strict` mode), blank text too; a charset other than UTF-8 is 415.
 * A body of any other type is answered 415 UNSUPPORTED_MEDIA_TYPE (Express left it unread, and
 * validation then refused the empty body field by field), unless it is empty, which is no body (a command
 * that takes none runs), and so is a compressed one (Express inflated
 * it; no client of this ledger compresses its commands). A key `__proto__`, or `constructor` holding
 * `prototype`, is refused by name (Express's parser let `__proto__` through, and validation never saw
 * it: a draw with one was posted). Responses carry a weak ETag, and a GET whose `If-None-Match` matches
 * is answered 304, as Express did. The route each request matched is kept on the Node request for the
 * logs and metrics (`routeOf`).
 */
export function keepExpressContract(fastify: FastifyInstance): void {
  void fastify.register(fastifyEtag, { weak: true });
  fastify.removeAllContentTypeParsers();
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return done(unsupported(`send the body uncompressed, not as ${encoding}`), payload);
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) return done(unsupported(`send the body as UTF-8, not ${charset}`), payload);
    done(null, payload);
  });
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, text, done) => {
    if (text === '') return done(null, {});
    const body = (text as string).trim();
    if (body[0] !== '{' && body[0] !== '[') return done(malformedJson(notAnObject(body)), undefined);
    if (nestedDeeperThan(body, MAX_JSON_DEPTH)) return done(malformedJson(`the body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    let parsed: unknown;
    try {
      parsed = secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(forbiddenKeyIn(body) ?? malformedJson(), undefined);
    }
    // Names every object has (`constructor`, `toString` ...): class-transformer drops them before the
    // whitelist looks, so they were taken silently where any other unknown field is refused.
    const inherited = inheritedNameIn(parsed);
    done(inherited === undefined ? null : forbiddenKey(inherited.path, inherited.name), inherited === undefined ? parsed : undefined);
  });
  // The same in a query string, which the DTOs read through class-transformer too.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const name = Object.keys((request.query as Record<string, unknown> | undefined) ?? {}).find((key) => INHERITED_NAMES.has(key));
    done(name === undefined ? undefined : forbiddenKey(name, name));
  });
  // Any other type: an empty body is no body (`curl -d ''` sends one as a form to a command that takes
  // none), anything else is 415.
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, text, done) => {
    if (text === '') return done(null, {});
    done(unsupported('send the body as application/json'), undefined);
  });
  const table: RouteTable = [];
  routeTables.set(fastify, table);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.push({ pattern: pathPattern(route.url ?? route.path), method: method.toUpperCase() });
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request.raw as RoutedRequest).routePattern = request.routeOptions.url;
    done();
  });
  // An answer to a request with a key holds an account's figures and masked personal data: no shared
  // cache (a proxy) may keep it, and a browser asks again each time (its ETag makes that a 304).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.authorization !== undefined && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'private, no-cache');
    done(null, payload);
  });
}

/** The routes of an app as they were added: each path template as a pattern, with a method it answers. */
type RouteTable = { pattern: RegExp; method: string }[];

const routeTables = new WeakMap<FastifyInstance, RouteTable>();

/** A path template (`/accounts/:id/draws`, `/dashboard/*`) as the router matches it: any case, with or without a trailing slash. */
function pathPattern(template: string): RegExp {
  const parts = template.split('/').map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/').replace(/\/$/, '')}/?$`, 'i');
}

/**
 * The methods some route of `fastify` answers at `path` (no query string), for a request no route matched: a path that
 * exists under other methods is answered 405 with them (`Allow`), not 404 as if it did not exist.
 */
export function allowedMethods(fastify: FastifyInstance, path: string): string[] {
  const methods = new Set((routeTables.get(fastify) ?? []).filter((route) => route.pattern.test(path)).map((route) => route.method));
  return [...methods].sort();
}

/** The names every object inherits, `__proto__` and `constructor` among them. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The first key of `value` (at any depth) that an object inherits, with its path (`authentication.toString`). */
function inheritedNameIn(value: unknown, path = ''): { path: string; name: string } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && INHERITED_NAMES.has(key)) return { path: at, name: key };
    const inner = inheritedNameIn((value as Record<string, unknown>)[key], at);
    if (inner) return inner;
  }
  return undefined;
}

function forbiddenKey(field: string, name: string): ApiError {
  const problem = `property ${name} should not exist`;
  return new ApiError(400, { error: 'VALIDATION_FAILED', message: `${field}: ${problem}`, details: [{ field, problems: [problem] }] });
}

/** The refusal of a body that is valid JSON but names a forbidden key (secure-json-parse refused it), or undefined for text that is not JSON. */
function forbiddenKeyIn(body: string): ApiError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  // JSON.parse keeps `__proto__` as an own key, however it was escaped; `constructor.prototype` is the other refusal.
  const found = inheritedNameIn(parsed);
  if (found?.name === '__proto__') return forbiddenKey(found.path, '__proto__');
  const constructorAt = found?.name === 'constructor' ? found.path : 'constructor';
  return forbiddenKey(`${constructorAt}.prototype`, 'constructor.prototype');
}

function unsupported(message: string): ApiError {
  return new ApiError(415, { error: 'UNSUPPORTED_MEDIA_TYPE', message, details: [] });
}

/** Why a body that opens with neither `{` nor `[` is refused: JSON of another kind (`null`, a string, a number) is named as such. */
function notAnObject(body: string): string {
  try {
    const value: unknown = JSON.parse(body);
    return `the body must be a JSON object, not ${value === null ? 'null' : typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : 'a boolean'}`;
  } catch {
    return 'the body is not valid JSON';
  }
}

function malformedJson(message = 'the body is not valid JSON'): ApiError {
  return new ApiError(400, { error: 'MALFORMED_JSON', message, details: [] });
}

/**
 * No request of this API nests more than three levels; validation walks a body recursively, and a few
 * kilobytes of brackets would overflow its stack (a 500) before the whitelist refused the field.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether the JSON text opens more than `max` objects or arrays inside one another (brackets in strings do not count). */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
