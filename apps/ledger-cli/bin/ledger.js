#!/usr/bin/env node
/**
 * `npm run ledger -- <command>`: the audit and operations CLI. TypeScript runs from source through
 * scripts/register.js (swc, no build step), path aliases from tsconfig-paths, as `npm start` does for the API.
 * The exit code is the CLI's own: 0 clean, 1 findings, 2 a usage or input error, 3 an unexpected failure,
 * 78 a configuration error; a CLI ended by a signal exits as a shell reports it, 128 + the signal's number
 * (130 SIGINT, 137 SIGKILL, 143 SIGTERM), never 1, which is `verify`'s findings.
 */
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const env = { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') };
// Resolved from the checkout, so that the CLI runs from any working directory (the files are the environment's).
const preload = (name) => require.resolve(name, { paths: [root] });
// Forwarded to the CLI, and listened for before it starts: a signal that comes while it is being started
// reaches it once it has, rather than ending this process (by the signal) and leaving the CLI running.
let child = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child = spawn(process.execPath, ['-r', path.join(root, 'scripts', 'register.js'), '-r', preload('tsconfig-paths/register'), path.join(root, 'apps', 'ledger-cli', 'src', 'main.ts'), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  env,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0)));
