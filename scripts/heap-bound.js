/**
 * The V8 heap bound `npm start` gives the API process, unless NODE_OPTIONS already sets one (docs/configuration.md,
 * Memory): 384 MiB with the projections in a worker thread (each thread gets that bound) or in another process,
 * 640 with both caches on the main thread. The benchmarks run each deployment with the same bound.
 */
function heapBoundArgs(env) {
  if (/--max[-_]old[-_]space[-_]size/.test(env.NODE_OPTIONS ?? '')) return [];
  return [`--max-old-space-size=${projectionsOnMain(env.LEDGER_PROJECTIONS) ? 640 : 384}`];
}

/**
 * Whether LEDGER_PROJECTIONS runs the projections on the main thread, read as the configuration reads it
 * (libs/servicing/src/config/ledger-config.ts, case-insensitive): unset or empty, or 1/true/yes/on, is the
 * main thread; worker and 0/false/no/off are not. A value the configuration refuses stops the API anyway.
 */
function projectionsOnMain(value) {
  const raw = String(value ?? '').toLowerCase();
  return !['worker', '0', 'false', 'no', 'off'].includes(raw);
}

module.exports = { heapBoundArgs };
