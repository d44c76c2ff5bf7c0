/**
 * On a pull request, the definition files of the repository's own `definitions` paths that the change alters or
 * removes are read as they are at the base; a file it adds is read as it is, since a new definition only adds
 * findings. Not so for every new file: a Modify the change adds rewrites the request the base's definitions see
 * (setting enablePurgeProtection made the base's purge-protection definition pass), and an initiative it adds took
 * over the evaluation of the base definitions it names (giving one the effect Disabled silenced it). What a file the
 * base does not have defines is evaluated, but changes how the base's definitions are evaluated once merged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { commitFiles, initRepository } from '../support/git.js';
import { evaluateIn, type Evaluation } from './support.js';

/** Two vaults without purge protection. */
const VAULTS = readFileSync(path.resolve('examples/key-vault-purge-protection/noncompliant.json'), 'utf8');

/** The base's own definition: vaults must have purge protection, denying by default, with an effect an assignment can set. */
const PURGE = JSON.stringify({
  name: 'purge-protection',
  properties: {
    displayName: 'Vaults have purge protection',
    mode: 'Indexed',
    parameters: {
      effect: { type: 'String', defaultValue: 'Deny', allowedValues: ['Audit', 'Deny', 'Disabled'] }
    },
    policyRule: {
      if: {
        allOf: [
          { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
          { field: 'Microsoft.KeyVault/vaults/enablePurgeProtection', notEquals: true }
        ]
      },
      then: { effect: "[parameters('effect')]" }
    }
  }
});

/** A Modify that turns purge protection on in every vault's request. */
const SETS_PURGE = JSON.stringify({
  name: 'turns-purge-on',
  properties: {
    displayName: 'Turns purge protection on',
    mode: 'Indexed',
    policyRule: {
      if: { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
      then: {
        effect: 'modify',
        details: {
          roleDefinitionIds: [
            '/providers/microsoft.authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c'
          ],
          operations: [
            { operation: 'addOrReplace', field: 'Microsoft.KeyVault/vaults/enablePurgeProtection', value: true }
          ]
        }
      }
    }
  }
});

/** An initiative that assigns the base's definition with the effect Disabled. */
const DISABLES = JSON.stringify({
  name: 'quiet',
  properties: {
    displayName: 'Quiet',
    policyDefinitions: [
      {
        policyDefinitionReferenceId: 'purge',
        policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/purge-protection',
        parameters: { effect: { value: 'Disabled' } }
      }
    ]
  }
});

let dir: string;
let base: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-added-'));
  initRepository(dir);
  base = commit('base', {
    'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\ndefinitions: [defs]\n',
    'infra/vaults.json': VAULTS,
    'defs/purge.json': PURGE
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const commit = (message: string, files: Record<string, string>): string => commitFiles(dir, message, files);

const evaluate = (...flags: string[]): Promise<Evaluation> => evaluateIn(dir, ...flags);

/** The verdicts of the base's definition (on its own, or as a member of an initiative), by vault. */
function purgeVerdicts(document: FindingsDocument): string[] {
  return document.findings
    .filter(f => f.definition === 'purge-protection')
    .map(f => `${f.resource.name}: ${f.verdict}`)
    .sort();
}

const NONCOMPLIANT = [
  'kv-purge-off-northeurope: noncompliant',
  'kv-purge-off-westeurope: noncompliant',
  'kv-purge-unset: noncompliant'
];

describe('a definition file a pull request adds', () => {
  it('the base judges the vaults noncompliant', async () => {
    const before = await evaluate('--base', base);
    expect(before.code).toBe(1);
    expect(purgeVerdicts(before.document)).toEqual(NONCOMPLIANT);
  });

  it('a Modify it adds does not change the request the base’s definitions see until it is merged', async () => {
    commit('modify', { 'defs/turns-purge-on.json': SETS_PURGE });
    // Merged (no base), the Modify turns purge protection on before the base's definition sees the request.
    expect(purgeVerdicts((await evaluate()).document)).toEqual(NONCOMPLIANT.map(v => v.replace('non', '')));

    const checked = await evaluate('--base', base);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.code).toBe(1);
    expect(purgeVerdicts(checked.document)).toEqual(NONCOMPLIANT);
    // The Modify is evaluated, and says when what it changes applies.
    const modify = checked.document.findings.filter(f => f.definition === 'turns-purge-on');
    expect(modify).toHaveLength(3);
    for (const finding of modify)
      expect(finding.message).toContain('the other definitions see what it changes once the change is merged');
  });

  it('an initiative it adds does not take over the evaluation of a base definition it names', async () => {
    commit('initiative', { 'defs/quiet.json': DISABLES });
    // Merged, the initiative assigns the definition Disabled.
    expect(purgeVerdicts((await evaluate()).document)).toEqual([]);

    const checked = await evaluate('--base', base);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.code).toBe(1);
    expect(purgeVerdicts(checked.document)).toEqual(NONCOMPLIANT);
  });

  it('a definition it adds under the name of the base’s is not the one the base’s initiative uses', async () => {
    // The base's definition is Disabled unless its initiative turns it on.
    const quietByDefault = PURGE.replace('"defaultValue":"Deny"', '"defaultValue":"Disabled"');
    const withInitiative = commit('initiative at the base', {
      'defs/purge.json': quietByDefault,
      'defs/on.json': DISABLES.replace('"Disabled"', '"Deny"')
    });
    expect((await evaluate('--base', withInitiative)).code).toBe(1);
    // The change adds a definition of the same name that matches nothing.
    commit('shadow', {
      'defs/zz-shadow.json': quietByDefault.replace('"notEquals":true', '"equals":"never"')
    });
    const checked = await evaluate('--base', withInitiative);
    expect(checked.code).toBe(1);
    expect(
      checked.document.findings
        .filter(f => f.definition === 'quiet/purge' && f.verdict === 'noncompliant')
        .map(f => f.resource.name)
        .sort()
    ).toEqual(['kv-purge-off-northeurope', 'kv-purge-off-westeurope', 'kv-purge-unset']);
  });
});
