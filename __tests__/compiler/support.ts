/** Rules for compiler tests, built in memory around a schema, with the fixture alias catalog. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../../src/model/value.js';
import {
  aliasCatalogFromEntries,
  type AliasCatalog,
  type CompilableRule,
  type JsonSchema
} from '../../src/compiler/index.js';
import { parseDocument } from '../../src/rules/positions.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function fixtureAliases(): AliasCatalog {
  const data = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/compiler/aliases.json'), 'utf8'));
  return aliasCatalogFromEntries(data.resourceTypes);
}

/** A policy rule whose file is `yaml` (parsed with positions, so errors carry lines). */
export function ruleFromYaml(yaml: string, file = 'policies/test-rule.yaml'): CompilableRule {
  const doc = parseDocument(file, yaml);
  const v = doc.value as { [key: string]: Json };
  return {
    name: 'test-rule',
    displayName: 'Test rule',
    description: 'A rule in a test.',
    category: 'Test',
    version: '1.0.0',
    severity: 'error',
    effect: { default: 'Audit', allowed: ['Audit', 'Deny'] },
    mode: 'Indexed',
    resourceType: (v.resourceType as string) ?? 'Microsoft.CognitiveServices/accounts',
    ...(v.appliesTo !== undefined ? { appliesTo: v.appliesTo as JsonSchema } : {}),
    schema: v.schema as JsonSchema,
    remediation: '',
    references: [],
    kind: 'policy',
    file,
    document: v,
    positionOf: p => doc.positionOf(p)
  };
}
