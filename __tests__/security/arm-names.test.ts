/**
 * ARM reads the names of its template language, and the members of a resource's JSON, regardless of
 * case. A pull request must not get a template past the gate by writing a name in another case: a
 * template whose "Resources" the gate would not see, a resource whose "Type" the gate would not read,
 * a deployment whose "Properties" would make it indeterminate, or two members that differ only in case
 * of which the gate would read one and ARM the other. A name in another case is read as ARM reads it
 * (deployed templates write "dependson" or "Properties"); two that differ only in case are refused at
 * their line (exit code 2), never a pass.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { FindingsDocument } from '../../src/model/finding.js';
import { foldCase } from '../../src/model/foldCase.js';
import { joinPointer } from '../../src/model/pointer.js';
import type { Json } from '../../src/model/value.js';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';
import { caseCollision, type CaseCollision } from '../../src/sources/arm/names.js';
import { expandTemplateFile } from '../../src/sources/templates.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

function account(name: string, keySource = 'Microsoft.CognitiveServices'): Record<string, unknown> {
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2024-10-01',
    name,
    location: 'westeurope',
    kind: 'AIServices',
    sku: { name: 'S0' },
    properties: { encryption: { keySource } }
  };
}

function renamed(object: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key === from ? to : key, value]));
}

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-names-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function evaluateText(text: string, files: Record<string, string> = {}): Promise<FindingsDocument> {
  writeFileSync(path.join(repo, 'main.json'), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(repo, name), content);
  return evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['main.json'] });
}

function noncompliant(document: FindingsDocument): number {
  return document.summary.noncompliant;
}

describe('a name of the template language in another case', () => {
  const nested = (properties: Record<string, unknown>) => ({
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: 'nested',
    properties
  });
  const inner = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [account('inner')] };
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'the template\'s "Resources"',
      { $schema: SCHEMA, contentVersion: '1.0.0.0', Resources: [account('a')] },
      'Resources'
    ],
    ['the template\'s "$Schema"', { $Schema: SCHEMA, contentVersion: '1.0.0.0', resources: [account('a')] }, '$Schema'],
    ['a resource\'s "Type"', { $schema: SCHEMA, resources: [renamed(account('a'), 'type', 'Type')] }, 'Type'],
    ['a resource\'s "Condition"', { $schema: SCHEMA, resources: [{ ...account('a'), Condition: true }] }, 'Condition'],
    [
      'a copy loop\'s "Count"',
      { $schema: SCHEMA, resources: [{ ...account("[concat('a', copyIndex())]"), copy: { name: 'c', Count: 2 } }] },
      'Count'
    ],
    [
      'a nested deployment\'s "Template"',
      { $schema: SCHEMA, resources: [nested({ mode: 'Incremental', Template: inner })] },
      'Template'
    ],
    [
      'a parameter\'s "DefaultValue"',
      {
        $schema: SCHEMA,
        parameters: { keySource: { type: 'string', DefaultValue: 'Microsoft.CognitiveServices' } },
        resources: [account('a', "[parameters('keySource')]")]
      },
      'DefaultValue'
    ],
    [
      'a parameter passed to a nested deployment as "Value"',
      {
        $schema: SCHEMA,
        resources: [
          nested({
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { keySource: { Value: 'Microsoft.CognitiveServices' } },
            template: {
              $schema: SCHEMA,
              parameters: { keySource: { type: 'string', defaultValue: 'Microsoft.KeyVault' } },
              resources: [account('inner', "[parameters('keySource')]")]
            }
          })
        ]
      },
      'Value'
    ]
  ];

  /** Each finding as (definition, resource id, verdict). */
  const verdicts = (document: FindingsDocument): string[] =>
    document.findings.map(f => `${f.definition} ${f.resource.id} ${f.verdict}`).sort();
  const documented = (key: string): string => (key[0] === '$' ? '$schema' : key[0].toLowerCase() + key.slice(1));

  it.each(cases)('%s is read as ARM reads it, never passed over', async (_, template, key) => {
    const text = JSON.stringify(template, null, 2);
    const document = await evaluateText(text);
    const asDocumented = await evaluateText(text.replace(`"${key}"`, `"${documented(key)}"`));
    expect(document.errors ?? []).toEqual([]);
    expect(noncompliant(document)).toBeGreaterThan(0);
    expect(verdicts(document)).toEqual(verdicts(asDocumented));
  });

  // ("$schema": null beside "$Schema" is not a template at all, and refused as such.)
  const pairs = cases.filter(([, , key]) => key !== '$Schema');
  it.each(pairs)('%s beside the name as documented in one object is refused at its line', async (_, template, key) => {
    const text = JSON.stringify(template, null, 2).replace(`"${key}":`, `"${documented(key)}": null, "${key}":`);
    const document = await evaluateText(text);
    const line = text.split('\n').findIndex(l => l.includes(`"${key}"`)) + 1;
    expect(document.errors).toEqual([
      expect.objectContaining({
        file: 'main.json',
        line,
        message: expect.stringContaining(`"${key}" and "${documented(key)}"`) as string
      })
    ]);
    expect(document.summary.compliant).toBe(0);
    expect(document.summary.noncompliant).toBe(0);
  });

  it('the same templates written as ARM documents them are evaluated (the check refuses only the other case)', async () => {
    const inside = await evaluateText(
      JSON.stringify({
        $schema: SCHEMA,
        resources: [nested({ mode: 'Incremental', template: inner }), { ...account('b'), condition: true }]
      })
    );
    expect(inside.errors ?? []).toEqual([]);
    expect(noncompliant(inside)).toBe(2);
  });
});

describe('two members whose names differ only in case', () => {
  it('in a resource, the later of "properties" and "Properties" is refused: ARM keeps the last, the gate read the first', async () => {
    const compliant = {
      encryption: {
        keySource: 'Microsoft.KeyVault',
        keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://v.vault.azure.net' }
      }
    };
    const text = `{"$schema": "${SCHEMA}", "resources": [
  {"type": "Microsoft.CognitiveServices/accounts", "apiVersion": "2024-10-01", "name": "a", "location": "westeurope",
   "kind": "AIServices", "identity": {"type": "SystemAssigned"},
   "properties": ${JSON.stringify(compliant)},
   "Properties": {"encryption": {"keySource": "Microsoft.CognitiveServices"}}}]}`;
    const document = await evaluateText(text);
    expect(document.errors).toEqual([
      {
        file: 'main.json',
        line: 5,
        column: 4,
        message:
          '"Properties" and "properties" in one object differ only in case: ARM reads them as one name and keeps one of them. Keep one.'
      }
    ]);
    expect(noncompliant(document) + document.summary.compliant).toBe(0);
  });

  it('"type" and "Type" in one resource are refused: the gate would check a storage account that ARM deploys as an AI account', async () => {
    const text = JSON.stringify({
      $schema: SCHEMA,
      resources: [
        { ...account('a'), type: 'Microsoft.Storage/storageAccounts', Type: 'Microsoft.CognitiveServices/accounts' }
      ]
    });
    const document = await evaluateText(text);
    expect(document.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^"Type" and "type"/) as string })
    ]);
  });

  it('deep inside properties, in a linked template and in a parameter file', async () => {
    const deep = await evaluateText(
      JSON.stringify({
        $schema: SCHEMA,
        resources: [
          { ...account('a'), properties: { encryption: { keySource: 'Microsoft.KeyVault', KeySource: 'x' } } }
        ]
      })
    );
    expect(deep.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^"KeySource" and "keySource"/) as string })
    ]);

    const linked = await evaluateText(
      JSON.stringify({
        $schema: SCHEMA,
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'linked',
            properties: { mode: 'Incremental', templateLink: { relativePath: 'linked.json' } }
          }
        ]
      }),
      {
        'linked.json': JSON.stringify({ $schema: SCHEMA, resources: [{ ...account('l'), Name: 'other' }] })
      }
    );
    expect(linked.errors).toEqual([
      expect.objectContaining({ file: 'linked.json', message: expect.stringMatching(/^"Name" and "name"/) as string })
    ]);

    const parameters = await evaluateText(
      JSON.stringify({
        $schema: SCHEMA,
        parameters: { keySource: { type: 'string', defaultValue: 'Microsoft.KeyVault' } },
        resources: [account('a', "[parameters('keySource')]")]
      }),
      {
        'main.parameters.json': JSON.stringify({
          parameters: {
            keySource: { value: 'Microsoft.KeyVault' },
            KEYSOURCE: { value: 'Microsoft.CognitiveServices' }
          }
        })
      }
    );
    expect(parameters.errors).toEqual([
      expect.objectContaining({
        file: 'main.parameters.json',
        message: expect.stringMatching(/^"KEYSOURCE" and "keySource"/) as string
      })
    ]);
    expect(parameters.summary.compliant).toBe(0);
  });

  it.each([
    [
      'json()',
      `[json('{"encryption": {"keySource": "Microsoft.KeyVault", "KeySource": "Microsoft.CognitiveServices"}}')]`
    ],
    [
      'createObject()',
      "[createObject('encryption', createObject('keySource', 'Microsoft.KeyVault', 'KeySource', 'Microsoft.CognitiveServices'))]"
    ]
  ])(
    'a body that %s builds with two names differing only in case is refused at the resource',
    async (_, properties) => {
      const document = await evaluateText(
        JSON.stringify({ $schema: SCHEMA, resources: [{ ...account('a'), properties }] })
      );
      expect(document.errors).toEqual([
        expect.objectContaining({
          file: 'main.json',
          line: 1,
          message: expect.stringMatching(
            /^The body of Microsoft.CognitiveServices\/accounts 'a' has "KeySource" and "keySource" in one object \(at \/properties\/encryption\/KeySource\)/
          ) as string
        })
      ]);
      expect(document.summary.compliant + document.summary.noncompliant).toBe(0);
    }
  );

  it('an object that is a value (a variable, a default, an output) keeps both names, read exact case first, as ARM does', async () => {
    // A lookup table keyed by string(bool): ARM keeps "True" and "true" apart and finds the exact one first.
    const template = {
      $schema: SCHEMA,
      parameters: {
        table: { type: 'object', defaultValue: { On: 'Microsoft.KeyVault', on: 'Microsoft.CognitiveServices' } }
      },
      variables: {
        keySources: { True: 'Microsoft.KeyVault', true: 'Microsoft.CognitiveServices' }
      },
      resources: [
        account('exact', "[variables('keySources')[string(true())]]"),
        account('lower', "[variables('keySources')[toLower(string(true()))]]"),
        account('default', "[parameters('table')['On']]")
      ],
      outputs: { both: { type: 'object', value: { A: 1, a: 2 } } }
    };
    writeFileSync(path.join(repo, 'values.json'), JSON.stringify(template));
    const { resources } = expandTemplateFile(path.join(repo, 'values.json'));
    expect(
      Object.fromEntries(
        resources.map(r => [r.name, (r.json.properties as { encryption: { keySource: string } }).encryption.keySource])
      )
    ).toEqual({ exact: 'Microsoft.KeyVault', lower: 'Microsoft.CognitiveServices', default: 'Microsoft.KeyVault' });
    expect((await evaluateText(JSON.stringify(template))).errors).toEqual([]);
    // The same, with the template's own names in another case, as ARM reads them.
    const otherCase = {
      $schema: SCHEMA,
      Parameters: { table: { Type: 'object', DefaultValue: template.parameters.table.defaultValue } },
      VARIABLES: template.variables,
      Resources: template.resources,
      Outputs: { both: { type: 'object', Value: template.outputs.both.value } }
    };
    expect((await evaluateText(JSON.stringify(otherCase))).errors).toEqual([]);
    // Two variables (or parameters) whose names differ only in case are still refused: ARM looks names up regardless of case.
    const twice = await evaluateText(
      JSON.stringify({ ...template, variables: { keySources: {}, KeySources: {} }, resources: [account('a')] })
    );
    expect(twice.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^"KeySources" and "keySources"/) as string })
    ]);
    // And such a value made into a resource's body is refused there.
    const body = await evaluateText(
      JSON.stringify({
        ...template,
        variables: { encryption: { keySource: 'Microsoft.KeyVault', KeySource: 'Microsoft.CognitiveServices' } },
        resources: [{ ...account('a'), properties: { encryption: "[variables('encryption')]" } }]
      })
    );
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /^The body of Microsoft.CognitiveServices\/accounts 'a' has "KeySource" and "keySource"/
        ) as string
      })
    ]);
  });

  it('the walk of a template knows the way to each object it reaches, after passing over values deep or shallow', async () => {
    // The way to an object is kept as one stack the walk pushes to and pops: after a value it passes over, and after
    // objects nested deeper, the names above the next object are its own.
    const template = {
      $schema: SCHEMA,
      parameters: {
        table: { type: 'object', defaultValue: { deep: [{ On: 1, on: 2 }] } },
        other: { type: 'object', defaultValue: {} }
      },
      variables: { lookup: { nested: { X: 1, x: 2 } } },
      resources: [{ ...account('a'), properties: { settings: [{ deep: { K: 1, k: 2 } }] } }]
    };
    const text = JSON.stringify(template, null, 2);
    expect((await evaluateText(text)).errors).toEqual([
      expect.objectContaining({
        line: text.split('\n').findIndex(l => l.includes('"k": 2')) + 1,
        message: expect.stringMatching(/^"k" and "K" in one object differ only in case/) as string
      })
    ]);
    // A "defaultValue" under an entry of a resource's "parameters" is passed over as a value where the template is
    // read, and refused in the body the resource is made of.
    const asValue = JSON.stringify(
      {
        ...template,
        resources: [{ ...account('a'), properties: { parameters: { p: { defaultValue: { K: 1, k: 2 } } } } }]
      },
      null,
      2
    );
    expect((await evaluateText(asValue)).errors).toEqual([
      expect.objectContaining({
        line: asValue.split('\n').findIndex(l => l.includes('"k": 2')) + 1,
        message: expect.stringMatching(
          /^The body of Microsoft.CognitiveServices\/accounts 'a' has "k" and "K" in one object \(at \/properties\/parameters\/p\/defaultValue\/k\)/
        ) as string
      })
    ]);
    // Without the pair, the values passed over are still passed over.
    const fixed = JSON.stringify({ ...template, resources: [account('a')] }, null, 2);
    expect((await evaluateText(fixed)).errors).toEqual([]);
  });

  it('caseCollision finds the first such pair and nothing in JSON without one', () => {
    expect(caseCollision({ a: [{ b: 1 }, { x: { K: 1, k: 2 } }] })).toEqual({
      pointer: '/a/1/x/k',
      key: 'k',
      earlier: 'K'
    });
    expect(caseCollision({ a: [{ b: 1, B2: 2 }], c: { a: 1 }, 'a/b': { '~': 1 } })).toBeNull();
    expect(caseCollision({ 'a/b': { '~x': 1, '~X': 2 } })).toEqual({ pointer: '/a~1b/~0X', key: '~X', earlier: '~x' });
  });

  it('caseCollision folds no ASCII name into a new string to compare it', () => {
    const toLowerCase = String.prototype.toLowerCase;
    let folded = 0;
    String.prototype.toLowerCase = function (this: string) {
      folded++;
      return toLowerCase.call(this);
    };
    let found: CaseCollision | null;
    try {
      found = caseCollision({ a: 1, bb: 2, Cc: 3, dddd: 4, eeeee: 5, ffffff: 6, GGGGGGG: 7, hhhhhhhh: 8 });
    } finally {
      String.prototype.toLowerCase = toLowerCase;
    }
    expect(found).toBeNull();
    expect(folded).toBe(0);
  });

  it("caseCollision finds the first pair that comparing each object's names in lower case finds, with few names or many", () => {
    // Names that collide often, and others, so that objects have up to a dozen names.
    const name = fc.oneof(
      fc.constantFrom('a', 'A', 'key', 'Key', 'KEY', 'x1', 'X1', 'é', 'É', 'ss', 'SS', 'ß', '\u{10428}', '\u{10400}'),
      fc.stringMatching(/^[a-zA-Z0-9]{1,4}$/)
    );
    const { json } = fc.letrec<{ json: Json }>(tie => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)),
        fc.array(tie('json'), { maxLength: 3 }),
        fc.dictionary(name, tie('json'), { maxKeys: 12 })
      )
    }));
    /** In document order: an object's own names first, then its members, one after another. */
    const firstPair = (value: Json, way: (string | number)[] = []): CaseCollision | null => {
      if (value === null || typeof value !== 'object') return null;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = firstPair(value[i], [...way, i]);
          if (found) return found;
        }
        return null;
      }
      const seen = new Map<string, string>();
      for (const key of Object.keys(value)) {
        const earlier = seen.get(foldCase(key));
        if (earlier !== undefined) return { pointer: joinPointer('', ...way, key), key, earlier };
        seen.set(foldCase(key), key);
      }
      for (const key of Object.keys(value)) {
        const found = firstPair(value[key], [...way, key]);
        if (found) return found;
      }
      return null;
    };
    fc.assert(
      fc.property(json, value => {
        expect(caseCollision(value)).toEqual(firstPair(value));
      }),
      { numRuns: 500 }
    );
  });
});
