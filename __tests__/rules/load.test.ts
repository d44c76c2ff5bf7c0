/**
 * Every mistake a rule author can make is reported with file, line and column and a
 * sentence saying what to change, and all the mistakes in a file at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, UserErrors } from '../../src/model/errors.js';
import { loadPolicyDirectory, loadRuleFile } from '../../src/rules/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const valid = path.resolve(here, '../fixtures/rules/valid');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-rules-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const good = `name: cmk-rule
displayName: Accounts use customer-managed keys
description: Checks the key source.
category: Cognitive Services
version: 1.0.0
severity: error
effect:
  default: Audit
  allowed: [Audit, Deny]
mode: Indexed
resourceType: Microsoft.CognitiveServices/accounts
schema:
  properties:
    properties:
      properties:
        encryption:
          properties:
            keySource:
              const: Microsoft.KeyVault
remediation: Use a key from Key Vault.
references: []
`;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The `file:line:column: message` lines of what loading throws. */
function problems(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof UserErrors) return error.errors.map(e => e.describe());
    if (error instanceof UserError) return [error.describe()];
    throw error;
  }
  throw new Error('expected the load to fail');
}

const edit = (from: string, to: string) => {
  if (!good.includes(from)) throw new Error(`fixture has no ${from}`);
  return good.replace(from, to);
};

describe('a valid rule', () => {
  test('loads with its fields, kind and positions', () => {
    const rule = loadRuleFile(write('r.yaml', good));
    expect(rule).toMatchObject({
      name: 'cmk-rule',
      kind: 'policy',
      severity: 'error',
      effect: { default: 'Audit', allowed: ['Audit', 'Deny'] },
      resourceType: 'Microsoft.CognitiveServices/accounts',
      references: []
    });
    expect(rule.positionOf('/schema/properties/properties/properties/encryption/properties/keySource/const')).toEqual({
      file: rule.file,
      line: 19,
      column: 22
    });
    expect(rule.positionOf('/severity')).toEqual({ file: rule.file, line: 6, column: 11 });
  });

  test('the fixture directory loads a pack and its rules, YAML and JSON', () => {
    const { pack, rules } = loadPolicyDirectory(valid);
    expect(pack?.name).toBe('cmk-guard-test');
    expect(rules.map(r => r.name)).toEqual(['cognitive-services-cmk', 'key-vault-protection']);
    expect(rules[1].positionOf('/schema/properties/properties/properties/enablePurgeProtection/const')).toEqual({
      file: rules[1].file,
      line: 15,
      column: 47
    });
  });

  test('relation and transition rules load with their own shapes', () => {
    const relation = loadRuleFile(
      write('rel.yaml', edit('schema:\n', 'kind: relation\nrelation:\n  from: account\nschema:\n'))
    );
    expect(relation.kind).toBe('relation');
    expect(relation.relation).toEqual({ from: 'account' });
    const transition = loadRuleFile(
      write(
        'tr.yaml',
        good.replace(
          /^schema:[\s\S]*?(?=^remediation)/m,
          'kind: transition\nschema:\n  properties:\n    before: true\n    after: true\n'
        )
      )
    );
    expect(transition.kind).toBe('transition');
  });
});

describe('rule-file mistakes', () => {
  const cases: [string, string, (file: string) => string[]][] = [
    [
      'YAML syntax',
      edit('effect:\n  default: Audit', 'effect:\n  default: [Audit'),
      f => [`${f}:9:3: the file is not valid YAML: deficient indentation; fix the syntax here.`]
    ],
    [
      'a duplicated key',
      edit('severity: error\n', 'severity: error\nseverity: note\n'),
      f => [`${f}:7:1: the file is not valid YAML: duplicated mapping key; fix the syntax here.`]
    ],
    [
      'aliases that multiply each other (a "billion laughs")',
      `${'abcdefghi'
        .split('')
        .map((n, i, all) =>
          i === 0
            ? `${n}: &${n} [x,x,x,x,x,x,x,x,x]`
            : `${n}: &${n} [${Array(9)
                .fill(`*${all[i - 1]}`)
                .join(',')}]`
        )
        .join('\n')}\n`,
      f => [
        `${f}:1:1: the file expands to more than 100000 values once its YAML aliases (*name) are followed (CMK_GUARD_MAX_YAML_VALUES); write the values out or use fewer aliases.`
      ]
    ],
    [
      'a missing field',
      edit('severity: error\n', ''),
      f => [`${f}:1:1: the rule is missing \`severity\`; add \`error\`, \`warning\` or \`note\`.`]
    ],
    [
      'a misspelt field',
      edit('severity: error', 'severty: error'),
      f => [
        `${f}:1:1: the rule is missing \`severity\`; add \`error\`, \`warning\` or \`note\`.`,
        `${f}:6:1: \`severty\` is not a field of the rule; did you mean \`severity\`?`
      ]
    ],
    [
      'a wrong value',
      edit('severity: error', 'severity: fatal'),
      f => [`${f}:6:11: \`severity\` is \`fatal\`; change it to one of \`error\`, \`warning\`, \`note\`.`]
    ],
    [
      'a wrong type',
      edit('references: []', 'references: https://example.com'),
      f => [`${f}:21:13: \`references\` must be a list, not \`https://example.com\`; change its value.`]
    ],
    [
      'a name that is not kebab-case',
      edit('name: cmk-rule', 'name: CmkRule'),
      f => [
        `${f}:1:7: \`name\` is \`CmkRule\`; it must be kebab-case: lowercase letters and digits joined by single hyphens, e.g. \`cognitive-services-cmk\`.`
      ]
    ],
    [
      'a version that is not semver',
      edit('version: 1.0.0', 'version: "1.0"'),
      f => [`${f}:5:10: \`version\` is \`1.0\`; it must be a semantic version such as \`1.0.0\`.`]
    ],
    [
      'a resource type that is not one',
      edit('resourceType: Microsoft.CognitiveServices/accounts', 'resourceType: accounts'),
      f => [
        `${f}:11:15: \`resourceType\` is \`accounts\`; it must be a full ARM resource type such as \`Microsoft.CognitiveServices/accounts\`, or a list of them.`
      ]
    ],
    [
      'a default effect that is not allowed',
      edit('default: Audit', 'default: Disabled'),
      f => [
        `${f}:8:12: \`effect.default\` is \`Disabled\`, which \`effect.allowed\` does not list; add it to \`allowed\` or pick one of \`Audit\`, \`Deny\`.`
      ]
    ],
    [
      'an effect Azure does not have',
      edit('allowed: [Audit, Deny]', 'allowed: [Audit, Block]'),
      f => [
        `${f}:9:20: \`effect.allowed[1]\` is \`Block\`; change it to one of \`Audit\`, \`Deny\`, \`Disabled\`, \`AuditIfNotExists\`, \`DeployIfNotExists\`, \`Modify\`, \`Append\`, \`DenyAction\`, \`Manual\`.`
      ]
    ],
    [
      'a misspelt schema keyword',
      edit('const: Microsoft.KeyVault', 'cnst: Microsoft.KeyVault'),
      f => [`${f}:19:15: \`cnst\` is not a JSON Schema keyword cmk-guard knows; did you mean \`const\`?`]
    ],
    [
      'a keyword value of the wrong type',
      edit('const: Microsoft.KeyVault', 'minLength: "3"'),
      f => [
        `${f}:19:26: \`schema.properties.properties.properties.encryption.properties.keySource.minLength\` must be a whole number, not \`3\`; change its value.`
      ]
    ],
    [
      'a like pattern with two wildcards',
      edit('const: Microsoft.KeyVault', "like: '*Key*'"),
      f => [
        `${f}:19:21: \`like\` pattern \`*Key*\` has 2 \`*\` wildcards, but Azure's \`like\` allows one at most; split it with \`anyOf\`.`
      ]
    ],
    [
      'a relation without kind: relation',
      edit('references: []', 'references: []\nrelation: {}'),
      f => [`${f}:22:1: \`relation\` belongs to relation rules only; add \`kind: relation\` or remove \`relation\`.`]
    ],
    [
      'a relation rule without relation',
      edit('references: []', 'references: []\nkind: relation'),
      f => [`${f}:1:1: the rule is a relation rule but has no \`relation\`; add it, or remove \`kind: relation\`.`]
    ],
    [
      "a relation's grant that is not a schema",
      edit(
        'references: []',
        'references: []\nkind: relation\nrelation:\n  grants:\n    accessPolicy:\n      required: permissions'
      ),
      f => [
        `${f}:26:17: \`relation.grants.accessPolicy.required\` must be a list, not \`permissions\`; change its value.`
      ]
    ],
    [
      'a pattern RE2 cannot run (found when ajv compiles the schema)',
      edit('const: Microsoft.KeyVault', "pattern: '(?=x)'"),
      f => [
        `${f}:13:3: \`schema\` is not a schema ajv can compile (error parsing regexp: invalid or unsupported Perl syntax: \`(?=\`); fix it.`
      ]
    ],
    [
      'a $ref to nothing',
      edit('const: Microsoft.KeyVault', "$ref: '#/$defs/nope'"),
      f => [
        `${f}:13:3: \`schema\` is not a schema ajv can compile (can't resolve reference #/$defs/nope from id #); fix it.`
      ]
    ],
    [
      'a wrong keyword value in a schema that names JSON Schema 2020-12',
      edit('schema:\n', "schema:\n  $schema: 'https://json-schema.org/draft/2020-12/schema'\n  minimum: x\n"),
      f => [`${f}:14:12: \`schema.minimum\` must be a number, not \`x\`; change its value.`]
    ],
    [
      'a schema that names another meta-schema',
      edit('schema:\n', "schema:\n  $schema: 'http://json-schema.org/draft-07/schema#'\n"),
      f => [
        `${f}:13:12: \`schema.$schema\` is \`http://json-schema.org/draft-07/schema#\`; cmk-guard reads rule schemas as JSON Schema 2020-12: remove \`$schema\`, or set it to \`https://json-schema.org/draft/2020-12/schema\`.`
      ]
    ],
    [
      'a schema whose $schema is not text',
      edit('schema:\n', 'schema:\n  $schema: 5\n'),
      f => [
        `${f}:13:12: \`schema.$schema\` is \`5\`; cmk-guard reads rule schemas as JSON Schema 2020-12: remove \`$schema\`, or set it to \`https://json-schema.org/draft/2020-12/schema\`.`
      ]
    ],
    ['an empty file', '', f => [`${f}:1:1: the file is empty; write a rule (see the rule-authoring guide).`]]
  ];

  test.each(cases)('%s', (_what, text, expected) => {
    const file = write('rule.yaml', text);
    expect(problems(() => loadRuleFile(file))).toEqual(expected(file));
  });

  test('every mistake in a file is reported at once', () => {
    const file = write(
      'rule.yaml',
      edit('severity: error', 'severity: fatal')
        .replace('version: 1.0.0', 'version: one')
        .replace('const: Microsoft', 'konst: Microsoft')
    );
    expect(problems(() => loadRuleFile(file))).toEqual([
      `${file}:5:10: \`version\` is \`one\`; it must be a semantic version such as \`1.0.0\`.`,
      `${file}:6:11: \`severity\` is \`fatal\`; change it to one of \`error\`, \`warning\`, \`note\`.`,
      `${file}:19:15: \`konst\` is not a JSON Schema keyword cmk-guard knows; did you mean \`const\`?`
    ]);
  });

  test('a JSON rule file reports positions in the JSON', () => {
    const json = JSON.stringify(
      { ...JSON.parse(fs.readFileSync(path.join(valid, 'key-vault-protection.json'), 'utf8')), mode: 'indexed' },
      null,
      2
    );
    const file = write('rule.json', json);
    expect(problems(() => loadRuleFile(file))).toEqual([
      `${file}:16:11: \`mode\` is \`indexed\`; change it to one of \`All\`, \`Indexed\`.`
    ]);
  });
});

describe('policy directories', () => {
  test('errors in every file, duplicate names and unknown pack members are all reported', () => {
    write('a.yaml', good);
    write('b.yaml', good);
    const broken = write(
      'c.yaml',
      edit('severity: error', 'severity: fatal').replace('name: cmk-rule', 'name: other-rule')
    );
    write('pack.yaml', 'name: pack\ndisplayName: Pack\ndescription: A pack.\nversion: 1.0.0\nrules: [cmk-rule]\n');
    expect(problems(() => loadPolicyDirectory(dir))).toEqual([
      `${broken}:6:11: \`severity\` is \`fatal\`; change it to one of \`error\`, \`warning\`, \`note\`.`,
      `${path.join(dir, 'b.yaml')}:1:7: rule name \`cmk-rule\` is already used by ${path.join(dir, 'a.yaml')}; give this rule another name.`
    ]);
  });

  test('a pack member no rule defines', () => {
    write('a.yaml', good);
    const pack = write(
      'pack.yaml',
      'name: pack\ndisplayName: Pack\ndescription: A pack.\nversion: 1.0.0\nrules:\n  - cmk-rule\n  - no-such-rule\n'
    );
    expect(problems(() => loadPolicyDirectory(dir))).toEqual([
      `${pack}:7:5: the pack lists rule \`no-such-rule\`, but no rule file in ${dir} has that name; fix the name or add the rule.`
    ]);
  });

  test('a pack manifest with a missing field', () => {
    const pack = write('pack.yaml', 'name: pack\ndisplayName: Pack\nversion: 1.0.0\nrules: [x]\n');
    expect(problems(() => loadPolicyDirectory(dir))).toEqual([
      `${pack}:1:1: the pack is missing \`description\`; add one or two sentences on what the rule checks.`
    ]);
  });
});

describe('rule files a pull request could make hostile', () => {
  it('refuses a file that is not UTF-8 text, with where the first bad byte is', () => {
    const file = path.join(dir, 'binary.yaml');
    fs.writeFileSync(file, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x0a, 0xff, 0xfe, 0x00]));
    expect(() => loadRuleFile(file)).toThrow(/is not UTF-8 text \(byte 6 is not valid UTF-8\); save it as UTF-8/);
  });
  it('refuses a file larger than cmk-guard reads, without reading it whole', () => {
    const file = path.join(dir, 'huge.yaml');
    fs.writeFileSync(file, Buffer.alloc(17 * 1024 * 1024, 0x61));
    expect(() => loadRuleFile(file)).toThrow(/is larger than 16 MB/);
  });
  it('refuses something that is not a regular file', () => {
    expect(() => loadRuleFile(dir)).toThrow(/it is a folder; check the path/);
  });
});

describe('schemas checked one after another', () => {
  it('loads two rules whose schemas carry the same $id, and a rule whose schema is `true`', () => {
    const withId = good.replace('schema:\n', 'schema:\n  $id: https://example.com/rule.json\n');
    expect(loadRuleFile(write('first.yaml', withId)).name).toBe('cmk-rule');
    expect(loadRuleFile(write('second.yaml', withId)).name).toBe('cmk-rule');
    const always = good.replace(/^schema:[\s\S]*?(?=^remediation)/m, 'schema: true\n');
    expect(loadRuleFile(write('always.yaml', always)).schema).toBe(true);
  });
});

describe('a policy rule in mode Indexed about a type Indexed never evaluates', () => {
  const about = (types: string) => good.replace('resourceType: Microsoft.CognitiveServices/accounts', types);
  it('is refused at the type, with what to write instead', () => {
    const file = write('keys.yaml', about('resourceType: Microsoft.KeyVault/vaults/keys'));
    expect(problems(() => loadRuleFile(file))).toEqual([
      `${file}:11:15: mode Indexed never evaluates Microsoft.KeyVault/vaults/keys: Azure Policy's Indexed mode evaluates only resource types that support tags and location, and by the tag-support page this one does not, so the rule would never report on it. Write \`mode: All\`, or name a type Indexed evaluates.`
    ]);
  });
  it('names each such type of a list, at its own line', () => {
    const file = write(
      'list.yaml',
      about(
        'resourceType:\n  - Microsoft.KeyVault/vaults\n  - Microsoft.Network/routeTables/routes\n  - Microsoft.Resources/resourceGroups'
      )
    );
    const found = problems(() => loadRuleFile(file));
    expect(found.map(p => p.split(': mode')[0])).toEqual([`${file}:13:5`, `${file}:14:5`]);
    expect(found[0]).toContain('never evaluates Microsoft.Network/routeTables/routes');
    expect(found[1]).toContain('never evaluates Microsoft.Resources/resourceGroups');
  });
  it('loads in mode All, and in mode Indexed about a type it evaluates, in any case', () => {
    const all = about('resourceType: Microsoft.KeyVault/vaults/keys').replace('mode: Indexed', 'mode: All');
    expect(loadRuleFile(write('all.yaml', all)).mode).toBe('All');
    const tracked = about('resourceType: microsoft.keyvault/VAULTS');
    expect(loadRuleFile(write('tracked.yaml', tracked)).mode).toBe('Indexed');
  });
  it('is not asked of relation and transition rules, which only a pull request checks', () => {
    const transition = about('resourceType: Microsoft.KeyVault/vaults/keys')
      .replace('name: cmk-rule', 'kind: transition\nname: cmk-rule')
      .replace(/^schema:[\s\S]*?(?=^remediation)/m, 'schema: true\n');
    expect(loadRuleFile(write('transition.yaml', transition)).kind).toBe('transition');
  });
});
