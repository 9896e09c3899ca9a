/** PGlite loads its WASM through a dynamic import(), so `npm test` runs jest with --experimental-vm-modules. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig.json sets isolatedModules, so ts-jest transpiles each file on its own (fast); tsc type-checks.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The scopes the Slack stand-ins saw across the suite must be exactly manifest.yml's bot scopes.
  globalSetup: '<rootDir>/test/kit/jest-scopes-setup.ts',
  globalTeardown: '<rootDir>/test/kit/jest-scopes-teardown.ts',
  testTimeout: 30000,
  // Jest's resolver (resolve.exports 2.0.4) maps chrono-node's `./en` through its `./*/*` pattern to a
  // path that does not exist; Node maps it through `./*`, as here.
  moduleNameMapper: { '^chrono-node/en$': '<rootDir>/node_modules/chrono-node/dist/cjs/locales/en/index.js' },
};
