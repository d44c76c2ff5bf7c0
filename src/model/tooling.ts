/**
 * ajv, js-yaml and RE2 (./toolingModules.ts), loaded when a run first needs them: about a third of the code,
 * which a run with the bundled pack alone never calls.
 */
import { deferred } from './deferred.js';

export const tooling = deferred('ajv, js-yaml and RE2', () => import('./toolingModules.js'));
export type Tooling = ReturnType<typeof tooling.get>;
export type AjvInstance = InstanceType<Tooling['Ajv2020']>;
