/**
 * aliasLines.generated.ts keeps, from build time, the alias catalog's lines for the names loading the bundled
 * rules looks up, so that a start with the bundled rules unpacks no shard of the catalog. The file must be what the
 * generator makes now; every line it keeps must be the shards' own; loading the bundled rules as a run does must
 * look up no other name; and lines kept for another catalog must not be used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { compileRule } from '../../src/compiler/index.js';
import { aliasLineInShards, aliasLinesLookedUpBy, catalogFingerprint, lookupAlias } from '../../src/engine/aliases.js';
import { ALIAS_LINES_AT_BUILD } from '../../src/engine/aliasLines.generated.js';
import { loadDefinition } from '../../src/engine/definition.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { engineAliasCatalog } from '../../src/run.js';
import { aliasLinesModule } from '../../scripts/generateValidators.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the alias lines kept at build time', () => {
  it('are what npm run generate:validators makes from policies/ and the catalog now', () => {
    // If this fails, run `npm run generate:validators` and commit src/engine/aliasLines.generated.ts.
    expect(fs.readFileSync(path.join(root, 'src/engine/aliasLines.generated.ts'), 'utf8')).toBe(aliasLinesModule());
  });

  it('were read from this catalog, and each is the line the shards hold for its name', () => {
    expect(ALIAS_LINES_AT_BUILD.catalog).toBe(catalogFingerprint());
    expect(ALIAS_LINES_AT_BUILD.lines.length).toBeGreaterThan(10);
    for (const [name, line] of ALIAS_LINES_AT_BUILD.lines)
      expect([name, aliasLineInShards(name)]).toEqual([name, line]);
  });

  it('hold every name loading the bundled rules looks up, as a run loads them', () => {
    const rules = loadPolicyDirectory(path.join(root, 'policies')).rules.filter(rule => rule.kind === 'policy');
    expect(rules.length).toBeGreaterThan(3);
    const looked = aliasLinesLookedUpBy(() => {
      for (const rule of rules) loadDefinition({ file: rule.file, json: compileRule(rule, engineAliasCatalog()) });
    });
    expect(looked.length).toBeGreaterThan(10);
    const kept = new Map(ALIAS_LINES_AT_BUILD.lines);
    expect(looked.filter(([name]) => !kept.has(name))).toEqual([]);
  });

  it('record what an action looks up, even a name looked up before it, and nothing after it', () => {
    lookupAlias('Microsoft.KeyVault/vaults/enableSoftDelete');
    const looked = aliasLinesLookedUpBy(() => {
      lookupAlias('Microsoft.KeyVault/vaults/enableSoftDelete');
      lookupAlias('Microsoft.Contoso/widgets/nothing');
    });
    lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtection');
    expect(looked).toEqual([
      ['microsoft.contoso/widgets/nothing', null],
      ['microsoft.keyvault/vaults/enablesoftdelete', 'Microsoft.KeyVault/vaults/enableSoftDelete\t!m']
    ]);
    // A recording inside another: the outer one sees the inner one's names as well as its own.
    let inner: [string, string | null][] = [];
    const outer = aliasLinesLookedUpBy(() => {
      lookupAlias('Microsoft.Storage/storageAccounts/encryption.keySource');
      inner = aliasLinesLookedUpBy(() => void lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtection'));
    });
    expect(inner.map(([name]) => name)).toEqual(['microsoft.keyvault/vaults/enablepurgeprotection']);
    expect(outer.map(([name]) => name)).toEqual([
      'microsoft.keyvault/vaults/enablepurgeprotection',
      'microsoft.storage/storageaccounts/encryption.keysource'
    ]);
  });
});

describe('lines kept for another catalog', () => {
  afterEach(() => {
    jest.resetModules();
  });

  it('are not used: the shards answer', async () => {
    const name = 'microsoft.keyvault/vaults/enablesoftdelete';
    const stale = (catalog: string) => ({
      ALIAS_LINES_AT_BUILD: { catalog, lines: [[name, 'Microsoft.KeyVault/vaults/enableSoftDelete\tproperties.stale']] }
    });
    jest.unstable_mockModule('../../src/engine/aliasLines.generated.js', () => stale('0:0:0'));
    const other = await import('../../src/engine/aliases.js');
    expect(other.lookupAlias(name)).toMatchObject({ status: 'known', path: 'properties.enableSoftDelete' });

    // The same line with this catalog's fingerprint is used (so the case above is the fingerprint's doing).
    jest.resetModules();
    jest.unstable_mockModule('../../src/engine/aliasLines.generated.js', () => stale(catalogFingerprint()));
    const same = await import('../../src/engine/aliases.js');
    expect(same.lookupAlias(name)).toMatchObject({ status: 'known', path: 'properties.stale' });
  });
});
