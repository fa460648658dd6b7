#!/usr/bin/env node
/**
 * `npm start`: the ledger API on the embedded SQLite store in ./data/demo, with a manual business clock
 * and demo data unless LEDGER_DEMO=0, and the projections in a worker thread (LEDGER_PROJECTIONS=worker). TypeScript runs from
 * source through scripts/register.js (swc, no build step; the worker threads load it too); path aliases come from tsconfig-paths
 * (TS_NODE_PROJECT names its tsconfig.json). Any LEDGER_* variable set by the caller wins.
 */
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
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
};
// Forwarded to the API, and listened for before it starts (a signal meanwhile would end this process alone).
let child = null;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
// Each thread's heap is bounded as in the Dockerfile, unless the caller chose (scripts/heap-bound.js).
child = spawn(process.execPath, [...heapBoundArgs(env), '-r', path.join(__dirname, 'register.js'), '-r', 'tsconfig-paths/register', path.join(root, 'apps', 'ledger-api', 'src', 'main.ts')], {
  cwd: root,
  env,
  stdio: 'inherit',
});
// Ended by a signal (a hard kill, the OOM killer): 128 + its number, as a shell reports it (137 SIGKILL).
child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0)));
