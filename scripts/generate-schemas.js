// Writes schemas/cmk-guard.schema.json, the published JSON Schema of cmk-guard.yaml, from
// src/config/schema.ts (Node 24 reads the TypeScript directly), formatted as the repository formats
// JSON. A test fails when the two differ.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { configSchema } from '../src/config/schema.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schemas/cmk-guard.schema.json');
const options = (await prettier.resolveConfig(file)) ?? {};
writeFileSync(file, await prettier.format(JSON.stringify(configSchema), { ...options, filepath: file }));
