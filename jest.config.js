// Two projects: fast unit tests beside the sources, and integration tests that need the real network.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const shared = {
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  // Tests import the shared package from source so they need no build step.
  moduleNameMapper: { '^@gridledger/core$': '<rootDir>/core/src/index.ts', '^@gridledger/core/dist/(.*)$': '<rootDir>/core/src/$1' },
};
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/core', '<rootDir>/chaincode', '<rootDir>/gateway-api', '<rootDir>/cli', '<rootDir>/tests'],
      testMatch: ['<rootDir>/{core,chaincode,gateway-api,cli}/src/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/tests'],
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/global-setup.js',
      globalTeardown: '<rootDir>/tests/integration/global-teardown.js',
    },
    {
      ...shared,
      displayName: 'faults',
      roots: ['<rootDir>/tests/faults'],
      testMatch: ['<rootDir>/tests/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/global-setup.js',
      globalTeardown: '<rootDir>/tests/integration/global-teardown.js',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/tests/e2e'],
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/tests/integration/global-setup.js',
      globalTeardown: '<rootDir>/tests/integration/global-teardown.js',
    },
    {
      ...shared,
      displayName: 'fuzz',
      roots: ['<rootDir>/tests/fuzz'],
      testMatch: ['<rootDir>/tests/fuzz/**/*.fuzz.test.ts'],
    },
  ],
};
