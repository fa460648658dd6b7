/**
 * What the HTTP contract kept from Express when the API moved to Fastify (thirty-first performance
 * round): routes match as they did, bodies parse as they did, and the middlewares that run once a request
 * is answered (its log line, its metrics) still know the route it matched.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import secureJson from 'secure-json-parse';
import type { RoutedRequest } from '../observability/logging';
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
  routerOptions: {
    // Express matched paths whatever their case (`/Accounts/:id/HISTORY`), and the access policy is
    // written for that; the parameters keep their case.
    caseSensitive: false,
    // Express matched `/accounts/` as `/accounts` too.
    ignoreTrailingSlash: true,
    // Express set no bound on a path parameter; Fastify's default (100 characters) would answer a longer
    // account id with 404 rather than with the ledger's own refusal of it.
    maxParamLength: 1000,
  },
};

/**
 * JSON bodies only, read as Express's body parser read them: an empty body is `{}`, and anything but an
 * object or an array is refused (its `strict` mode). A body of any other type is answered 415
 * UNSUPPORTED_MEDIA_TYPE (Express left it unread, and validation then refused the empty body field by
 * field). A key `__proto__`, or `constructor` holding `prototype`, is refused by name (Express's parser
 * let `__proto__` through, and validation never saw it: a draw with one was posted). The route each
 * request matched is kept on the Node request for the logs and metrics (`routeOf`).
 */
export function keepExpressContract(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_request, text, done) => {
    const body = (text as string).trim();
    if (body === '') return done(null, {});
    if (body[0] !== '{' && body[0] !== '[') return done(malformedJson(), undefined);
    try {
      done(null, secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(forbiddenKeyIn(body) ?? malformedJson(), undefined);
    }
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request.raw as RoutedRequest).routePattern = request.routeOptions.url;
    done();
  });
}

/** The refusal of a body that is valid JSON but names a forbidden key, or undefined for text that is not JSON. */
function forbiddenKeyIn(body: string): ApiError | undefined {
  try {
    JSON.parse(body);
  } catch {
    return undefined;
  }
  const field = body.includes('"__proto__"') ? '__proto__' : 'constructor';
  const problem = field === '__proto__' ? 'property __proto__ should not exist' : 'property constructor.prototype should not exist';
  return new ApiError(400, { error: 'VALIDATION_FAILED', message: `${field}: ${problem}`, details: [{ field, problems: [problem] }] });
}

function malformedJson(): ApiError {
  return new ApiError(400, { error: 'MALFORMED_JSON', message: 'the body is not valid JSON', details: [] });
}
