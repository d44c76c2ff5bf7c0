/**
 * A name written twice in one object of a template or parameter file: ARM keeps the last value
 * (Azure/azure-quickstart-templates#8319, "ARM silently drops duplicate keys"), and so does cmk-guard, pointing at
 * it. The gate's side of it (the value evaluated is the value deployed) is in __tests__/security/repeated-names.test.ts.
 */
import * as fs from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { at, byName, fixture, lineOf } from './helpers.js';
import * as os from 'node:os';
import * as path from 'node:path';

function inFolder<T>(files: Record<string, string>, run: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-repeated-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TEMPLATE = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "location": { "type": "string", "defaultValue": "westus" },
    "location": { "type": "string", "defaultValue": "eastus" }
  },
  "resources": [
    {
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2022-09-01",
      "name": "st1",
      "location": "[parameters('location')]",
      "kind": "StorageV2",
      "properties": { "minimumTlsVersion": "TLS1_0", "allowBlobPublicAccess": true, "minimumTlsVersion": "TLS1_2" }
    }
  ]
}`;

describe('a template that writes a name twice', () => {
  test('is expanded with the last value of each, and positions point at it', () => {
    inFolder({ 'main.json': TEMPLATE }, dir => {
      const { resources } = expandTemplateFile(path.join(dir, 'main.json'));
      const account = byName(resources, 'st1');
      expect(at(account.json, '/location')).toBe('eastus');
      expect(at(account.json, '/properties/minimumTlsVersion')).toBe('TLS1_2');
      const lines = TEMPLATE.split('\n');
      const line = lines.findIndex(l => l.includes('"properties"'));
      expect(account.positionOf!('/properties/minimumTlsVersion')).toMatchObject({
        line: line + 1,
        column: lines[line].lastIndexOf('"minimumTlsVersion"') + 1
      });
    });
  });

  test('a parameter file that gives a value twice gives its last', () => {
    const parameters = '{"parameters": {"location": {"value": "northeurope"}, "location": {"value": "swedencentral"}}}';
    inFolder({ 'main.json': TEMPLATE, 'main.parameters.json': parameters }, dir => {
      const { resources } = expandTemplateFile(path.join(dir, 'main.json'));
      expect(at(byName(resources, 'st1').json, '/location')).toBe('swedencentral');
    });
  });

  test('quickstart sap-3-tier-marketplace-image-multi-sid-db-md, which declares "location" twice, expands', () => {
    const file = fixture('real-templates', 'qs-sap-3-tier-marketplace-image-multi-sid-db-md.json');
    const text = fs.readFileSync(file, 'utf8');
    const doc = parseJsonWithPositions(text, file);
    // The declaration ARM keeps is the second, after _artifactsLocationSasToken.
    expect(doc.positionOf('/parameters/location')?.line).toBe(lineOf('"_artifactsLocationSasToken": {', text) + 7);
    const { resources, errors } = expandTemplateFile(file, {
      parameterFiles: [],
      scope: { resourceGroupLocation: 'westeurope' }
    });
    expect(errors ?? []).toEqual([]);
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every(r => r.existing || ['westeurope', undefined].includes(r.json.location as string))).toBe(
      true
    );
  });
});
