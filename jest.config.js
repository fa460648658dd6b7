/**
 * One jest run covers unit specs beside the code (libs, apps) and end-to-end specs in test/.
 * @swc/jest strips types without type-checking, so `npm test` also runs `tsc --noEmit` first.
 */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions],
    // @fastify/static (the OpenAPI page's files) requires content-disposition 2, which is an ES module:
    // Node loads it (require of ES modules, Node 20.19 and later), jest's module loader does not.
    '/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  moduleNameMapper: {
    '^@ledger/(credit|event-store|projections|servicing)$': '<rootDir>/libs/$1/src',
    '^@ledger/(credit|event-store|projections|servicing)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  testTimeout: 30000,
};
