// Suites over the public corpus (../shared/corpus, or $CMK_GUARD_CORPUS).
import base from './jest.config.js';
export default {
  ...base,
  testMatch: ['<rootDir>/__tests__/**/*.corpus.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000
};
