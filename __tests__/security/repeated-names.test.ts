/**
 * A template or parameter file that writes one name twice in an object is deployed by ARM with the last value
 * ("ARM silently drops duplicate keys", Azure/azure-quickstart-templates#8319; #5847: it "sticks to the value of
 * last key parsed"). The gate must read that value, never the first: a pull request that writes a customer-managed
 * key source first and a Microsoft-managed one after must not pass, whichever of the two a reviewer reads. Names
 * that differ only in case are refused (arm-names.test.ts), with an exact repeat among them too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const CMK =
  '"keySource": "Microsoft.KeyVault", "keyVaultProperties": {"keyName": "k", "keyVaultUri": "https://kv.vault.azure.net/"}';
const MMK = '"keySource": "Microsoft.CognitiveServices"';

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-repeated-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function evaluateText(text: string, files: Record<string, string> = {}): Promise<FindingsDocument> {
  writeFileSync(path.join(repo, 'main.json'), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(repo, name), content);
  return evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['main.json'] });
}

/** A template of one AI services account whose `encryption` object is written as given. */
function account(encryption: string, parameters = '{}'): string {
  return [
    '{',
    `  "$schema": "${SCHEMA}",`,
    '  "contentVersion": "1.0.0.0",',
    `  "parameters": ${parameters},`,
    '  "resources": [',
    '    {',
    '      "type": "Microsoft.CognitiveServices/accounts",',
    '      "apiVersion": "2024-10-01",',
    '      "name": "ai1",',
    '      "location": "westeurope",',
    '      "kind": "AIServices",',
    '      "sku": {"name": "S0"},',
    '      "properties": {',
    `        "encryption": ${encryption}`,
    '      }',
    '    }',
    '  ]',
    '}'
  ].join('\n');
}

const cmkVerdict = (document: FindingsDocument) =>
  document.findings.filter(f => f.definition === 'foundry-tools-cmk').map(f => f.verdict);

describe('a name written twice in a template', () => {
  it('the last value is the one evaluated: customer-managed first, Microsoft-managed last is noncompliant', async () => {
    const document = await evaluateText(account(`{${CMK}, ${MMK}}`));
    expect(document.errors ?? []).toEqual([]);
    expect(cmkVerdict(document)).toEqual(['noncompliant']);
  });

  it('and the other way round it complies, as ARM deploys the customer-managed key', async () => {
    const document = await evaluateText(account(`{${MMK}, ${CMK}}`));
    expect(document.errors ?? []).toEqual([]);
    expect(cmkVerdict(document)).toEqual(['compliant']);
  });

  it('a whole object written twice is replaced, not merged', async () => {
    const document = await evaluateText(account(`{${CMK}}, "encryption": {${MMK}}`));
    expect(cmkVerdict(document)).toEqual(['noncompliant']);
  });

  it('a parameter declared twice has its last default', async () => {
    const parameters =
      '{"ks": {"type": "string", "defaultValue": "Microsoft.KeyVault"}, "ks": {"type": "string", "defaultValue": "Microsoft.CognitiveServices"}}';
    const document = await evaluateText(account(`{"keySource": "[parameters('ks')]"}`, parameters));
    expect(cmkVerdict(document)).toEqual(['noncompliant']);
  });

  it('a parameter file that gives a value twice gives its last', async () => {
    const parameters = '{"ks": {"type": "string"}}';
    const file = JSON.stringify({ parameters: { ks: { value: 'Microsoft.KeyVault' } } }).replace(
      '}}}',
      '}, "ks": {"value": "Microsoft.CognitiveServices"}}}'
    );
    const document = await evaluateText(account(`{"keySource": "[parameters('ks')]"}`, parameters), {
      'main.parameters.json': file
    });
    expect(document.errors ?? []).toEqual([]);
    expect(cmkVerdict(document)).toEqual(['noncompliant']);
  });

  it('a name in another case among the repeats is still refused at its line, never a pass', async () => {
    const text = account(`{${MMK}, "KeySource": "Microsoft.KeyVault", ${MMK}}`);
    const document = await evaluateText(text);
    expect(document.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/"KeySource" and "keySource"/) as string })
    ]);
    expect(document.summary.compliant).toBe(0);
  });
});
