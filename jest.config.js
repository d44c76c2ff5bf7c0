// Unit and integration tests: everything under __tests__ except the corpus suites,
// which need ../shared/corpus and run as `npm run test:corpus`.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/loadTooling.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.corpus\\.test\\.ts$'],
  testTimeout: 60000
};
