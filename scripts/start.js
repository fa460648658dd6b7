#!/usr/bin/env node
/**
 * `npm start`: the ledger API on the embedded SQLite store in ./data/demo, with a manual business clock
 * and demo data unless LEDGER_DEMO=0, and the projections in a worker thread (LEDGER_PROJECTIONS=worker). TypeScript runs through ts-node with the swc transpiler (fast, no
 * build step; tsconfig.json's "ts-node" section chooses swc, for the worker threads as well); path aliases come from tsconfig-paths. Any LEDGER_* variable set by the caller wins.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { heapBoundArgs } = require('./heap-bound');

const root = path.resolve(__dirname, '..');
const env = {
  LEDGER_DEMO: '1',
  LEDGER_CLOCK: 'manual',
  LEDGER_PROJECTIONS: 'worker',
  LEDGER_SQLITE_PATH: path.join(root, 'data', 'demo', 'ledger.sqlite'),
  ...process.env,
  TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
  TS_NODE_TRANSPILE_ONLY: 'true',
};
// Each thread's heap is bounded as in the Dockerfile, unless the caller chose (scripts/heap-bound.js).
const child = spawn(process.execPath, [...heapBoundArgs(env), '-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(root, 'apps', 'ledger-api', 'src', 'main.ts')], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
