/**
 * What checking a rule, pack, relation spec or configuration file written by a user needs: the validators
 * generated at build time (./validators.generated.ts) and ajv, js-yaml and RE2 (src/model/tooling.ts). A run
 * with the bundled pack alone needs none of it (its results were made at build time), so it is not loaded at
 * start: a run loads it (`loadRuleTooling`) where it first learns it needs it, before the synchronous code
 * that uses it runs.
 */
import { deferred } from '../model/deferred.js';
import { tooling } from '../model/tooling.js';

export const generatedValidators = deferred('the generated validators', () => import('./validators.generated.js'));

/** Loads ajv, js-yaml, RE2 and the generated validators (once; later calls return at once). */
export async function loadRuleTooling(): Promise<void> {
  await Promise.all([tooling.load(), generatedValidators.load()]);
}
