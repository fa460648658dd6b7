#!/usr/bin/env node
/**
 * Bundles the dashboard page (apps/ledger-api/dashboard) with esbuild into apps/ledger-api/public/dashboard.
 * ECharts and decimal.js come from node_modules and are bundled in, so the page needs no CDN: the
 * machines that run the ledger have no internet. The output is generated, never committed; the API
 * calls `ensureDashboardBuilt()` at start, which rebuilds only when the bundle is missing or older than
 * a source file. Files are written under a temporary name and renamed, so several processes starting at
 * once (parallel test workers) never serve a half-written bundle.
 *
 * `node scripts/build-dashboard.js` builds unconditionally.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sourceDir = path.join(root, 'apps', 'ledger-api', 'dashboard');
const outDir = path.join(root, 'apps', 'ledger-api', 'public', 'dashboard');
const STATIC_FILES = ['index.html', 'styles.css'];
const OUTPUTS = [...STATIC_FILES, 'dashboard.js'];

function newestSourceTime(dir = sourceDir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestSourceTime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

/** True when some output is missing or older than the newest source file. */
function isStale() {
  const newest = newestSourceTime();
  return OUTPUTS.some((name) => {
    const file = path.join(outDir, name);
    return !fs.existsSync(file) || fs.statSync(file).mtimeMs < newest;
  });
}

function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

async function buildDashboard() {
  const esbuild = require('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: [path.join(sourceDir, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    outfile: path.join(outDir, 'dashboard.js'),
    write: false,
    legalComments: 'none',
    // ECharts guards its development warnings with NODE_ENV; the page ships the production build.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  for (const name of STATIC_FILES) writeAtomically(path.join(outDir, name), fs.readFileSync(path.join(sourceDir, name)));
  const bytes = result.outputFiles.reduce((sum, f) => sum + f.contents.length, 0);
  return { outDir, bytes, milliseconds: Date.now() - started };
}

/** Builds when needed; returns null when the bundle was already fresh. */
async function ensureDashboardBuilt() {
  return isStale() ? buildDashboard() : null;
}

module.exports = { buildDashboard, ensureDashboardBuilt, isStale, outDir, sourceDir };

if (require.main === module) {
  buildDashboard().then(
    (r) => console.log(`dashboard bundled into ${path.relative(root, r.outDir)} (${Math.round(r.bytes / 1024)} KiB in ${r.milliseconds} ms)`),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
