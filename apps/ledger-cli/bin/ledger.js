#!/usr/bin/env node
/**
 * `npm run ledger -- <command>`: the audit and operations CLI. TypeScript runs through ts-node with the
 * swc transpiler (no build step), path aliases from tsconfig-paths, as `npm start` does for the API.
 * The exit code is the CLI's own: 0 clean, 1 findings, 2 a usage or input error, 3 an unexpected failure.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const env = { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
const child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(root, 'apps', 'ledger-cli', 'src', 'main.ts'), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
