/**
 * How the ledger runs its TypeScript from source (`npm start`, `npm run ledger`, the bench, the worker
 * threads of all of them): `node -r ./scripts/register.js -r tsconfig-paths/register file.ts`. Each .ts
 * file outside node_modules is transpiled by swc as it is required, with no type check (`npm test` and
 * `npm run build` check types with tsc). Built code (`dist`, the Docker image) needs none of this.
 *
 * ts-node did this until the forty-ninth round, with the same swc transpiler (tsconfig.json chose it). It
 * also loaded the TypeScript compiler into every isolate, about 60 MiB of each thread's memory to read
 * tsconfig.json, and the API runs three (the main thread, the projections worker, the WAL checkpointer).
 *
 * The options below are tsconfig.json's compilerOptions in swc's terms (test/operability/register.spec.ts
 * checks that they agree), with the source map inline so that stack traces name .ts lines.
 */
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

const SWC_OPTIONS = Object.freeze({
  swcrc: false,
  // The map without the source's own text: a stack trace needs only the mappings, and the text would be
  // held a second time in each isolate.
  sourceMaps: 'inline',
  inlineSourcesContent: false,
  module: { type: 'commonjs', strictMode: true, noInterop: false, ignoreDynamic: false }, // "module": "commonjs", "esModuleInterop": true
  jsc: {
    parser: { syntax: 'typescript', tsx: false, decorators: true, dynamicImport: true },
    target: 'es2022', // "target": "ES2022"
    keepClassNames: true,
    transform: {
      legacyDecorator: true, // "experimentalDecorators": true
      decoratorMetadata: true, // "emitDecoratorMetadata": true (Nest's injection reads the constructor's parameter types)
      useDefineForClassFields: false, // "useDefineForClassFields": false
    },
  },
});

/** The JavaScript for one TypeScript file, with its inline source map. */
function transpile(source, filename) {
  return transformSync(source, { ...SWC_OPTIONS, filename }).code;
}

addHook(transpile, { exts: ['.ts'], ignoreNodeModules: true });
// Node maps the stack traces of modules whose code carries a source map.
process.setSourceMapsEnabled(true);

module.exports = { SWC_OPTIONS, transpile };
