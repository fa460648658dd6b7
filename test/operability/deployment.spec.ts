/**
 * No Docker engine runs on the machines this is built on, so the image and the compose file are checked
 * here as text: they parse, and they say what the runbook relies on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// js-yaml arrives with @nestjs/swagger; only its `load` is needed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..');

/** Applies YAML merge keys (`<<: *anchor`), which Docker Compose honours and js-yaml 5 leaves as they are. */
function mergeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mergeKeys);
  if (value === null || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const merged = { ...(base ? (mergeKeys(base) as object) : {}), ...own };
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, mergeKeys(v)]));
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}

describe('the docker-compose file', () => {
  const compose = mergeKeys(load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'))) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const { services } = compose;

  it('runs an EventStoreDB node with a health check', () => {
    expect(services.eventstoredb.image).toMatch(/^eventstore\/eventstore:\d/);
    expect(services.eventstoredb.environment).toMatchObject({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_CLUSTER_SIZE: '1' });
    expect(services.eventstoredb.healthcheck?.test.join(' ')).toContain('/health/live');
  });

  it('builds the API from the Dockerfile and points it at EventStoreDB once the node is healthy', () => {
    const api = services['ledger-api'];
    expect(api.build).toBe('.');
    expect(api.environment).toMatchObject({ NODE_ENV: 'production', LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://eventstoredb:2113?tls=false', LEDGER_PROJECTIONS: 'worker' });
    expect(api.depends_on?.eventstoredb.condition).toBe('service_healthy');
    expect(api.volumes).toContain('ledger-data:/data');
  });

  it('requires the secrets from the environment instead of shipping defaults', () => {
    const env = services['ledger-api'].environment ?? {};
    expect(env.LEDGER_ID_HASH_KEY).toMatch(/^\$\{LEDGER_ID_HASH_KEY:\?/);
    expect(env.LEDGER_API_KEYS).toMatch(/^\$\{LEDGER_API_KEYS:\?/);
  });

  it('documents the split deployment: one projector and an API with projections off, sharing one read-model store', () => {
    const projector = services['ledger-projector'];
    const api = services['ledger-api-split'];
    expect(projector.profiles).toEqual(['split']);
    expect(api.profiles).toEqual(['split']);
    expect(projector.command?.join(' ')).toContain('dist/apps/ledger-api/src/projector.js');
    expect(api.environment?.LEDGER_PROJECTIONS).toBe('0');
    expect(projector.volumes).toEqual(api.volumes);
    expect(api.depends_on?.['ledger-projector'].condition).toBe('service_healthy');
  });

  it('sets only documented configuration variables', () => {
    const documented = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    for (const name of ['ledger-api', 'ledger-projector', 'ledger-api-split']) {
      for (const variable of Object.keys(services[name].environment ?? {})) expect(documented).toContain(`\`${variable}\``);
    }
  });

  it('declares every named volume it mounts', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) expect(Object.keys(compose.volumes)).toContain(volume.split(':')[0]);
    }
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1], name: m[2] }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('is multi-stage and the runtime starts from a plain Node 20 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages[stages.length - 1]).toEqual({ image: 'node:20-bookworm-slim', name: 'runtime' });
  });

  it('installs production dependencies only with npm ci --omit=dev for the runtime', () => {
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=production-deps .*node_modules/);
    expect(runtime).not.toMatch(/npm ci(?! --omit=dev)/);
  });

  it('runs compiled JavaScript as the unprivileged node user, with a health check', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/health\/live/m);
    expect(runtime).toContain('CMD ["node", "-r", "tsconfig-paths/register", "dist/apps/ledger-api/src/main.js"]');
    expect(runtime).toContain('NODE_ENV=production');
    expect(runtime).toMatch(/^\s*LEDGER_CLOCK=system \\$/m);
  });

  it('carries the backup script, which needs only production dependencies', () => {
    expect(dockerfile).toContain('cp -p scripts/backup.js release/scripts/');
  });

  it('resolves the path aliases with a production dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies['tsconfig-paths']).toBeDefined();
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
  });
});

describe('the heap bound of `npm start` and the benchmarks (scripts/heap-bound.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { heapBoundArgs } = require('../../scripts/heap-bound') as { heapBoundArgs(env: Record<string, string | undefined>): string[] };

  it('is the Dockerfile\'s for the deployment the image runs (projections in a worker thread)', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/LEDGER_PROJECTIONS=worker/);
    const bound = /NODE_OPTIONS=(--max-old-space-size=\d+)/.exec(dockerfile)?.[1];
    expect(heapBoundArgs({ LEDGER_PROJECTIONS: 'worker' })).toEqual([bound]);
  });

  it('is larger with both caches on the main thread, the same beside a projector process, and never overrides NODE_OPTIONS', () => {
    expect(heapBoundArgs({})).toEqual(['--max-old-space-size=640']);
    expect(heapBoundArgs({ LEDGER_PROJECTIONS: 'true' })).toEqual(['--max-old-space-size=640']);
    expect(heapBoundArgs({ LEDGER_PROJECTIONS: '0' })).toEqual(['--max-old-space-size=384']);
    expect(heapBoundArgs({ LEDGER_PROJECTIONS: 'Worker' })).toEqual(['--max-old-space-size=384']);
    expect(heapBoundArgs({ LEDGER_PROJECTIONS: 'worker', NODE_OPTIONS: '--max_old_space_size=2048' })).toEqual([]);
  });
});

describe('the runbook', () => {
  const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');

  it.each(['Start', 'Stop', 'Back up', 'Restore and verify', 'Rebuild a projection', 'Replay end of day after an outage', 'Rotate API keys'])('has a section "%s"', (title) => {
    expect(runbook).toMatch(new RegExp(`^## ${title}$`, 'm'));
  });

  it('names only metrics the API exports', () => {
    const source = readFileSync(join(ROOT, 'apps/ledger-api/src/observability/ledger-metrics.ts'), 'utf8');
    const exported = new Set([...source.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]));
    const named = [...runbook.matchAll(/`((?:ledger|http)_[a-z_]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !exported.has(n))).toEqual([]);
  });
});
