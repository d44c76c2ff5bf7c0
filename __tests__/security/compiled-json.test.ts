/**
 * A JSON template that says Bicep compiled it (`metadata._generator.name: bicep`), beside a Bicep file of
 * its name, is left out so the same resources are not reported twice. A pull request could edit only that
 * JSON — the file a pipeline may deploy — keep the metadata, and pass on the unchanged Bicep file. The
 * JSON is left out only when it is what the Bicep file compiles to (its metadata aside); otherwise it is
 * evaluated as the template it is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { installFakeBicep, type FakeBicep } from '../support/fake-bicep.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

function compiled(purge: boolean, generator = '0.30.23.60470'): string {
  return JSON.stringify(
    {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      metadata: { _generator: { name: 'bicep', version: generator, templateHash: generator } },
      resources: [
        {
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: 'kv',
          location: 'westus',
          properties: { enablePurgeProtection: purge }
        }
      ]
    },
    null,
    2
  );
}

let fake: FakeBicep;
let dir: string;
beforeEach(() => {
  fake = installFakeBicep('bicep');
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-compiled-json-'));
  writeFileSync(path.join(dir, 'main.bicep'), "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {}\n");
});
afterEach(() => {
  fake.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function evaluate() {
  const out: string[] = [];
  const code = await runCli(
    ['evaluate', '--rules', 'key-vault-purge-protection', '-f', 'json', '-t', '*.{bicep,json}'],
    { cwd: dir, env: fake.env, stdout: t => void out.push(t), stderr: () => undefined }
  );
  return { code, document: JSON.parse(out.join('')) as FindingsDocument };
}

const verdicts = (document: FindingsDocument) => document.findings.map(f => [f.resource.file, f.verdict]).sort();

it('a committed JSON that is not what the Bicep file compiles to is evaluated, and fails', async () => {
  writeFileSync(path.join(dir, 'main.build'), compiled(true));
  writeFileSync(path.join(dir, 'main.json'), compiled(false));
  const { code, document } = await evaluate();
  expect(verdicts(document)).toEqual([
    ['main.bicep', 'compliant'],
    ['main.json', 'noncompliant']
  ]);
  expect(document.skipped).toEqual([]);
  expect(code).toBe(1);
});

it('one that is, its metadata aside (another Bicep version), is still left out and said', async () => {
  writeFileSync(path.join(dir, 'main.build'), compiled(true, '0.31.0.0'));
  writeFileSync(path.join(dir, 'main.json'), compiled(true));
  const { code, document } = await evaluate();
  expect(verdicts(document)).toEqual([['main.bicep', 'compliant']]);
  expect(document.skipped).toEqual([
    { file: 'main.json', reason: 'compiled from main.bicep, which is checked instead' }
  ]);
  expect(code).toBe(0);
});
