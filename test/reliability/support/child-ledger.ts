/**
 * The ledger API as a real child process, for the specs that kill or stop it. The sources are compiled
 * once per run with swc (the same transform jest uses, decorator metadata included) into a temporary
 * directory, and each start is then a plain `node main.js`: about a second, so many restarts stay cheap.
 * Everything listens on 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';

const ROOT = resolve(__dirname, '../../..');
const SWC = {
  jsc: {
    parser: { syntax: 'typescript' as const, decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022' as const,
    keepClassNames: true,
  },
  module: { type: 'commonjs' as const },
};

export const CHILD_OPERATOR_KEY = 'reliability-operator-key-0000000001';

function compileTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) compileTree(source, join(to, entry.name));
    else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.spec.ts') &&
      !entry.name.endsWith('.d.ts')
    ) {
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, entry.name.replace(/\.ts$/, '.js')), transformFileSync(source, SWC).code);
    }
  }
}

let compiled: string | undefined;

/** Compiles apps/ and libs/ once per test file; returns the output directory. */
export function compileLedger(): string {
  if (compiled) return compiled;
  const out = mkdtempSync(join(tmpdir(), 'ledger-build-'));
  for (const tree of ['apps', 'libs']) compileTree(join(ROOT, tree), join(out, tree));
  compiled = out;
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

export interface ChildLedger {
  process: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code and signal once the process has ended and its output has all been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the API on the SQLite file in `dir` and waits until it answers. */
export async function startChild(dir: string, env: Record<string, string> = {}): Promise<ChildLedger> {
  const build = compileLedger();
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'node_modules/tsconfig-paths/register'), join(build, 'apps/ledger-api/src/main.js')],
    {
      cwd: build,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: join(ROOT, 'node_modules'),
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        TS_NODE_BASEURL: build,
        PORT: String(port),
        LEDGER_STORE: 'sqlite',
        LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
        LEDGER_CLOCK: 'manual',
        LEDGER_CLOCK_START: '2026-01-02T09:00:00+08:00',
        LEDGER_API_KEYS: `operator:reliability:${CHILD_OPERATOR_KEY}`,
        LEDGER_RATE_LIMIT: '10000000',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': the process may exit before its last lines have been read from its pipes.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the ledger exited while starting:\n${output}`);
    try {
      await fetch(`${url}/health`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the ledger did not answer within 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { process: child, url, output: () => output, exited };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One JSON request with the operator key; rejects when the connection drops before an answer. */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${CHILD_OPERATOR_KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
