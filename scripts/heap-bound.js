/**
 * The V8 heap bound `npm start` gives the API process, unless NODE_OPTIONS already sets one (docs/configuration.md,
 * Memory): 384 MiB with the projections in a worker thread (each thread gets that bound) or in another process,
 * 640 with both caches on the main thread. The benchmarks run each deployment with the same bound.
 */
function heapBoundArgs(env) {
  if (/--max[-_]old[-_]space[-_]size/.test(env.NODE_OPTIONS ?? '')) return [];
  const projectionsOnMain = !['worker', '0', 'false'].includes(String(env.LEDGER_PROJECTIONS ?? 'true').toLowerCase());
  return [`--max-old-space-size=${projectionsOnMain ? 640 : 384}`];
}

module.exports = { heapBoundArgs };
