/**
 * `like` patterns with more than one `*`. RULE#conditions: "When using the like and notLike conditions,
 * you provide a wildcard character (*) in the value. The value shouldn't have more than one wildcard
 * character." Definitions with several exist in the wild and other evaluators match them as globs:
 * they load with a warning, match as globs, and one of them never stops the evaluation of the others.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { likeMatcher } from '../../src/engine/operators/like.js';
import { runCli } from '../../src/commands/index.js';

/** The reference reading of a glob: every * any run of characters, the rest literal, ignoring case. */
function reference(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}$`, 'i');
}

describe('like as a glob (RULE#conditions)', () => {
  it('agrees with the regular-expression reading of the pattern, for any number of *', () => {
    const alphabet = fc.constantFrom('a', 'B', 'b', '-', '.', '*', '?', 'é');
    const text = fc.array(fc.constantFrom('a', 'b', 'B', '-', '.', '?', 'é'), { maxLength: 12 }).map(a => a.join(''));
    const pattern = fc.array(alphabet, { maxLength: 8 }).map(a => a.join(''));
    fc.assert(
      fc.property(pattern, text, (p, t) => likeMatcher(p)(t) === reference(p).test(t)),
      { numRuns: 500 }
    );
  });

  it('stays linear where a backtracking reading would not: 20 wildcards over 20,000 characters', () => {
    const pattern = `${'*a'.repeat(20)}*b`;
    const matches = likeMatcher(pattern);
    expect(matches('a'.repeat(20000))).toBe(false);
    expect(matches(`${'a'.repeat(20000)}b`)).toBe(true);
  });
});

describe('one multi-wildcard definition among others', () => {
  it('is evaluated with the others: every definition gives its finding, and the run does not stop (exit 1, not 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-like-'));
    try {
      const definition = (name: string, condition: unknown) => ({
        name,
        properties: {
          displayName: name,
          mode: 'All',
          policyRule: {
            if: { allOf: [{ field: 'type', equals: 'Microsoft.KeyVault/vaults' }, condition] },
            then: { effect: 'audit' }
          }
        }
      });
      fs.mkdirSync(path.join(dir, 'defs'));
      fs.writeFileSync(
        path.join(dir, 'defs', 'globbed.json'),
        JSON.stringify(definition('globbed', { field: 'name', like: '*-prod-*' }))
      );
      fs.writeFileSync(
        path.join(dir, 'defs', 'plain.json'),
        JSON.stringify(definition('plain', { field: 'location', equals: 'westeurope' }))
      );
      fs.writeFileSync(
        path.join(dir, 'resources.json'),
        JSON.stringify([
          {
            id: '/subscriptions/0/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv-prod-1',
            name: 'kv-prod-1',
            type: 'Microsoft.KeyVault/vaults',
            location: 'westeurope',
            properties: {}
          }
        ])
      );
      const out: string[] = [];
      const code = await runCli(
        ['evaluate', '--definitions', 'defs', '--resources', 'resources.json', '--format', 'json', '--fail-on', 'note'],
        { cwd: dir, env: {}, stdout: t => out.push(t), stderr: t => out.push(t) }
      );
      expect(code).toBe(1);
      const doc = JSON.parse(out.join('')) as { findings: { definition: string; verdict: string }[] };
      expect(doc.findings.map(f => [f.definition, f.verdict]).sort()).toEqual([
        ['globbed', 'noncompliant'],
        ['plain', 'noncompliant']
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
