/**
 * What checking rules, schemas and configuration files written by users needs, and a short run with the
 * bundled pack does not (their results for the bundled pack are made at build time): ajv, js-yaml and RE2.
 * Loaded through `tooling` (./tooling.ts), never imported directly: a static import would load it at every start.
 */
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';

export { constructFromEvents, EVENT_ID, getScalarValue, load as loadYaml, parseEvents, YAMLException } from 'js-yaml';
export { RE2JS } from 're2js';
export const Ajv2019 = Ajv2019Module.default ?? Ajv2019Module;
export const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
