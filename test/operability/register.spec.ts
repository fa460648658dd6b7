import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/register.js, the loader every run from source goes through (`npm start`, `npm run ledger`, the
 * bench, their worker threads): swc with tsconfig.json's options, source-mapped stack traces, and no
 * TypeScript compiler in the isolate.
 */
const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'scripts', 'register.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS shared with npm start
const { SWC_OPTIONS } = require(REGISTER) as { SWC_OPTIONS: { module: Record<string, unknown>; jsc: { target: string; transform: Record<string, unknown> } } };

/** Runs `file` through the loader and tsconfig-paths in a new node process. */
function run(file: string) {
  return spawnSync(process.execPath, ['-r', REGISTER, '-r', 'tsconfig-paths/register', file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the source loader (scripts/register.js)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-register-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("transpiles with tsconfig.json's options, and tsconfig.json sets no option that changes the output unmapped", () => {
    const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect({
      module: SWC_OPTIONS.module.type,
      target: SWC_OPTIONS.jsc.target,
      esModuleInterop: SWC_OPTIONS.module.noInterop === false,
      experimentalDecorators: SWC_OPTIONS.jsc.transform.legacyDecorator,
      emitDecoratorMetadata: SWC_OPTIONS.jsc.transform.decoratorMetadata,
      useDefineForClassFields: SWC_OPTIONS.jsc.transform.useDefineForClassFields,
    }).toEqual({
      module: String(compilerOptions.module).toLowerCase(),
      target: String(compilerOptions.target).toLowerCase(),
      esModuleInterop: compilerOptions.esModuleInterop,
      experimentalDecorators: compilerOptions.experimentalDecorators,
      emitDecoratorMetadata: compilerOptions.emitDecoratorMetadata,
      useDefineForClassFields: compilerOptions.useDefineForClassFields,
    });
    // What the rest of compilerOptions sets only checks types, resolves paths (tsconfig-paths) or shapes tsc's
    // own output files; an option outside this list may change what runs, and needs its swc term above.
    const mapped = ['module', 'target', 'esModuleInterop', 'experimentalDecorators', 'emitDecoratorMetadata', 'useDefineForClassFields'];
    const noEffectOnRunning = ['lib', 'declaration', 'removeComments', 'allowSyntheticDefaultImports', 'sourceMap', 'outDir', 'baseUrl', 'incremental', 'skipLibCheck', 'strict', 'noImplicitOverride', 'noFallthroughCasesInSwitch', 'forceConsistentCasingInFileNames', 'resolveJsonModule', 'paths'];
    expect(Object.keys(compilerOptions).filter((option) => !mapped.includes(option) && !noEffectOnRunning.includes(option))).toEqual([]);
  });

  it("emits the constructor parameters' types Nest injects by, path aliases resolve, and a stack trace names the .ts line", () => {
    const file = join(dir, 'decorated.ts');
    const lines = [
      // Packages by their resolved paths: the file lies outside the checkout's node_modules.
      `import '${require.resolve('reflect-metadata')}';`,
      `import { Injectable } from '${require.resolve('@nestjs/common')}';`,
      "import { Money } from '@ledger/credit';",
      'class Clock {}',
      '@Injectable()',
      'class Service {',
      '  constructor(private readonly clock: Clock, private readonly limit: number) {}',
      '}',
      "const types = Reflect.getMetadata('design:paramtypes', Service) as unknown[];",
      "process.stdout.write(JSON.stringify({ types: types.map((t) => (t as { name: string }).name), sum: Money.of('0.10').plus(Money.of('0.20')).toString() }));",
      'const fail = (why: string): never => {',
      '',
      '  throw new Error(why);',
      '};',
      "fail('at the end');",
    ];
    writeFileSync(file, lines.join('\n'));
    const result = run(file);
    expect(JSON.parse(result.stdout)).toEqual({ types: ['Clock', 'Number'], sum: '0.30' });
    expect(result.stderr).toContain('Error: at the end');
    // The error's construction and the call, at their lines and columns in the .ts file (1-based).
    const at = (line: string, column: string) => `${file}:${lines.indexOf(line) + 1}:${line.indexOf(column) + 1}`;
    expect(result.stderr).toContain(`at fail (${at('  throw new Error(why);', 'new Error')})`);
    expect(result.stderr).toContain(`(${at("fail('at the end');", 'fail')})`);
  });

  it("loads the API's modules and a worker thread's without the TypeScript compiler", () => {
    const worker = join(dir, 'worker.ts');
    writeFileSync(
      worker,
      [
        "import { parentPort } from 'node:worker_threads';",
        "import '@ledger/projections';",
        'const loaded: string[] = Object.keys(require.cache);',
        'parentPort!.postMessage(loaded);',
      ].join('\n'),
    );
    const main = join(dir, 'main.ts');
    writeFileSync(
      main,
      [
        "import { Worker } from 'node:worker_threads';",
        `import { workerSourceOptions } from '@ledger/event-store';`,
        `import '${join(ROOT, 'apps', 'ledger-api', 'src', 'app.module')}';`,
        `const script = ${JSON.stringify(worker)};`,
        'const thread = new Worker(script, workerSourceOptions(script));',
        'thread.once("message", (inThread: string[]) => {',
        '  process.stdout.write(JSON.stringify({ main: Object.keys(require.cache), thread: inThread }));',
        '  void thread.terminate();',
        '});',
      ].join('\n'),
    );
    const result = run(main);
    expect(result.status).toBe(0);
    const loaded = JSON.parse(result.stdout) as { main: string[]; thread: string[] };
    for (const modules of [loaded.main, loaded.thread]) {
      // What was required through the loader, so that an empty list cannot pass.
      expect(modules.filter((path) => path.endsWith('.ts')).length).toBeGreaterThan(20);
      expect(modules.filter((path) => /[\\/]node_modules[\\/](typescript|ts-node)[\\/]/.test(path))).toEqual([]);
    }
  });

  it('is what package.json runs from source: no script names another loader', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const fromSource = Object.entries(scripts).filter(([, command]) => /\bnode\b.*\.ts\b/.test(command));
    expect(fromSource.length).toBeGreaterThan(3);
    for (const [, command] of fromSource) expect(command).toContain('-r ./scripts/register.js -r tsconfig-paths/register');
    // And a bench script starts through it.
    expect(execFileSync('npm', ['run', '-s', 'bench', '--', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })).toContain('npm run bench -- [options]');
  });
});
