/**
 * ARM and Azure Policy ignore case as .NET's OrdinalIgnoreCase does: each character's simple uppercase,
 * with ı and ſ kept apart from I and S. JavaScript's toLowerCase lowers the Kelvin sign K (U+212A) to an
 * ASCII k, so a pull request that spelled `keySource` with it was read by the gate as the key source, and
 * judged compliant, while the resource provider and Azure Policy see no key source at all (Azure keeps
 * Microsoft-managed keys). Every name and string the gate compares ignoring case is folded as .NET does.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { equalIgnoringCase, foldCase, foldsTo } from '../../src/model/foldCase.js';
import { getKeyIgnoringCase, looseEquals } from '../../src/engine/values.js';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const KELVIN = '\u212a';

function account(encryption: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2024-10-01',
    name: 'oai-kelvin',
    location: 'westeurope',
    kind: 'OpenAI',
    sku: { name: 'S0' },
    identity: { type: 'SystemAssigned' },
    properties: { customSubDomainName: 'oai-kelvin', encryption }
  };
}

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-fold-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

/** The verdicts of the rule that asks for customer-managed keys on an AI account. */
async function evaluate(resource: Record<string, unknown>): Promise<string[]> {
  const template = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [resource] };
  writeFileSync(path.join(repo, 'main.json'), JSON.stringify(template, null, 2));
  const document: FindingsDocument = await evaluateRepository({
    cwd: repo,
    policies: bundledPolicies(),
    templates: ['main.json']
  });
  expect(document.errors).toEqual([]);
  return document.findings
    .filter(finding => finding.definition === 'foundry-tools-cmk')
    .map(finding => finding.verdict);
}

const keyVault = { keyName: 'cmk', keyVaultUri: 'https://kv-cmk.vault.azure.net/' };

describe('names and strings compared as ARM compares them', () => {
  it('the key source spelled with a Kelvin sign is not the key source: noncompliant, as Azure sees it', async () => {
    const honest = await evaluate(account({ keySource: 'Microsoft.KeyVault', keyVaultProperties: keyVault }));
    expect(honest).toEqual(['compliant']);

    const kelvin = await evaluate(
      account({ [`${KELVIN}eySource`]: 'Microsoft.KeyVault', [`${KELVIN}eyVaultProperties`]: keyVault })
    );
    expect(kelvin).toEqual(['noncompliant']);
  });

  it('a value spelled with a Kelvin sign is not the value the rule asks for', async () => {
    const kelvin = await evaluate(account({ keySource: `Microsoft.${KELVIN}eyVault`, keyVaultProperties: keyVault }));
    expect(kelvin).toEqual(['noncompliant']);
  });

  it('the equals, in and like operators of a definition fold as .NET does', async () => {
    const field = 'Microsoft.Storage/storageAccounts/accessTier';
    const conditions: [string, Record<string, unknown>, string, boolean][] = [
      ['equals-ascii', { field, equals: 'hot' }, 'HOT', true],
      ['equals-kelvin', { field, equals: 'kool' }, `${KELVIN}ool`, false],
      ['in-kelvin', { field, in: ['kool'] }, `${KELVIN}ool`, false],
      ['like-kelvin', { field, like: 'k*' }, `${KELVIN}ool`, false],
      ['notequals-kelvin', { field, notEquals: 'kool' }, `${KELVIN}ool`, true],
      // ς and σ are one letter to .NET (both Σ), though toLowerCase keeps them apart.
      ['equals-sigma', { field, equals: 'σ' }, 'ς', true],
      ['in-sigma', { field, in: ['σ'] }, 'ς', true]
    ];
    mkdirSync(path.join(repo, 'defs'));
    for (const [name, condition] of conditions) {
      const definition = {
        name,
        properties: {
          displayName: name,
          mode: 'All',
          policyRule: {
            if: { allOf: [{ field: 'type', equals: 'Microsoft.Storage/storageAccounts' }, condition] },
            then: { effect: 'audit' }
          }
        }
      };
      writeFileSync(path.join(repo, 'defs', `${name}.json`), JSON.stringify(definition));
    }
    const snapshot = conditions.map(([name, , tier]) => ({
      id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${name}`,
      type: 'Microsoft.Storage/storageAccounts',
      name,
      location: 'westeurope',
      properties: { accessTier: tier }
    }));
    writeFileSync(path.join(repo, 'snapshot.json'), JSON.stringify(snapshot));
    const document = await evaluateRepository({
      cwd: repo,
      policies: [],
      definitions: ['defs'],
      resources: ['snapshot.json']
    });
    const verdicts = document.findings
      .filter(finding => finding.definition === finding.resource.name)
      .map(finding => [finding.definition, finding.verdict])
      .sort();
    expect(verdicts).toEqual(
      conditions.map(([name, , , matches]) => [name, matches ? 'noncompliant' : 'compliant']).sort()
    );
  });

  it('foldCase keeps apart what .NET keeps apart and joins what it joins', () => {
    expect(equalIgnoringCase(`${KELVIN}eySource`, 'keySource')).toBe(false);
    expect(equalIgnoringCase('\u212b', '\u00e5')).toBe(false); // Ångström sign, å
    expect(equalIgnoringCase('\u2126', '\u03c9')).toBe(false); // Ohm sign, ω
    expect(equalIgnoringCase('\u0131', 'i')).toBe(false); // ı
    expect(equalIgnoringCase('\u0131', 'I')).toBe(false);
    expect(equalIgnoringCase('\u017f', 's')).toBe(false); // ſ
    expect(equalIgnoringCase('\u0130', 'i')).toBe(false); // İ
    expect(equalIgnoringCase('ß', 'SS')).toBe(false);
    expect(equalIgnoringCase('\u00b5', '\u03bc')).toBe(true); // µ, μ
    expect(equalIgnoringCase('\u03c2', '\u03c3')).toBe(true); // ς, σ
    expect(equalIgnoringCase('\u1f80', '\u1f88')).toBe(true); // ᾀ, ᾈ
    expect(equalIgnoringCase('\u{10428}', '\u{10400}')).toBe(true); // Deseret
    expect(equalIgnoringCase('Microsoft.KeyVault/vaults', 'MICROSOFT.KEYVAULT/VAULTS')).toBe(true);
    expect(foldCase('Microsoft.KeyVault/Vaults')).toBe('microsoft.keyvault/vaults');
    expect(foldCase('\ud800x')).toBe('\ud800x');
  });

  // The comparisons that skip building the folded text (ASCII compared unit by unit, the whole text folded
  // at the first unit past ASCII) answer as folding both texts does, for the characters toLowerCase folds
  // otherwise than .NET (K, İ, ı, ſ, ß, ς, µ, Å, Ω, ᾀ), surrogate pairs (Deseret), lone surrogates, and
  // ASCII next to any of them.
  const units = [
    ...'aAkKsSiIzZ@[`{0 -.',
    KELVIN,
    '\u0130',
    '\u0131',
    '\u017f',
    'ß',
    '\u03c2',
    '\u03c3',
    '\u03a3',
    '\u00b5',
    '\u03bc',
    '\u212b',
    '\u00e5',
    '\u00c5',
    '\u2126',
    '\u03c9',
    '\u1f80',
    '\u1f88',
    '\u{10428}',
    '\u{10400}',
    '\ud801',
    '\udc28',
    '\udc00',
    '\u00ff',
    '\u0178'
  ];
  const text = fc.array(fc.constantFrom(...units), { maxLength: 6 }).map(parts => parts.join(''));
  // A second text, often the first with its case changed unit by unit, so that equal keys are common.
  const pair = fc.oneof(
    fc.tuple(text, text),
    text.chain(a =>
      fc
        .array(fc.boolean(), { minLength: a.length, maxLength: a.length })
        .map(flips => [a, [...a].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('')] as const)
    )
  );

  it('foldsTo(a, foldCase(b)) and equalIgnoringCase(a, b) answer as foldCase(a) === foldCase(b)', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const same = foldCase(a) === foldCase(b);
        expect(foldsTo(a, foldCase(b))).toBe(same);
        expect(foldsTo(b, foldCase(a))).toBe(same);
        expect(equalIgnoringCase(a, b)).toBe(same);
        expect(equalIgnoringCase(b, a)).toBe(same);
      }),
      { numRuns: 3000 }
    );
  });

  it('the engine finds a member and compares a value through them as foldCase says', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const same = foldCase(a) === foldCase(b);
        expect(getKeyIgnoringCase({ [a]: 1 }, foldCase(b))).toBe(same ? 1 : undefined);
        expect(looseEquals(a, b)).toBe(same);
      }),
      { numRuns: 1000 }
    );
    // Cases a random draw may miss: an ASCII difference before and after a unit past ASCII, and the
    // characters whose toLowerCase lands on ASCII.
    expect(foldsTo(`a${KELVIN}`, 'bk')).toBe(false);
    expect(foldsTo(`${KELVIN}a`, `${KELVIN.toUpperCase()}b`)).toBe(false);
    expect(foldsTo(`${KELVIN}eySource`, 'keysource')).toBe(false);
    expect(foldsTo('\u0130d', 'id')).toBe(false);
    expect(foldsTo('KeySource', 'keysource')).toBe(true);
    expect(foldsTo('Key\u03a3ource', foldCase('key\u03c2ource'))).toBe(true);
    expect(foldsTo('\u{10400}', foldCase('\u{10428}'))).toBe(true);
    expect(foldsTo('\ud801', foldCase('\ud801'))).toBe(true);
    expect(equalIgnoringCase(`${KELVIN}`, 'k')).toBe(false);
    expect(equalIgnoringCase('a\u03c2', 'A\u03a3')).toBe(true);
  });
});
