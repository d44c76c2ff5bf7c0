/**
 * Tests call the synchronous code that reads rule files, schemas and configuration directly, where a run
 * would first load what it needs (src/rules/tooling.ts): every test file starts with it loaded. That a run
 * loads it where it must is shown by tests of the built CLI (__tests__/rules/tooling.test.ts).
 */
import { loadRuleTooling } from '../../src/rules/tooling.js';

await loadRuleTooling();
