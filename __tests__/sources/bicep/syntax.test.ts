import fc from 'fast-check';
import { isLocalPath, positionInBody, readBicep } from '../../../src/sources/bicep/syntax.js';

const text = [
  "@description('A vault: {not a brace}')", // 1
  "param name string = 'kv-${uniqueString(resourceGroup().id, '}')}'", // 2
  "/* a comment with resource x 'y@1' = { */", // 3
  'var tags = {', // 4
  "  'owner': 'team'", // 5
  '}', // 6
  "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = if (deploy) {", // 7
  '  name: name // trailing comment', // 8
  '  properties: {', // 9
  '    accessPolicies: [', // 10
  '      {', // 11
  "        permissions: { keys: ['get', 'wrapKey'] }", // 12
  '      }', // 13
  '    ]', // 14
  "    description: '''", // 15
  "      text with } and { and 'quotes'", // 16
  "    '''", // 17
  '    resource: { nested: true }', // 18
  '  }', // 19
  "  resource key 'keys' = {", // 20
  "    name: 'cmk'", // 21
  '  }', // 22
  '}', // 23
  "resource accounts 'Microsoft.CognitiveServices/accounts@2023-05-01' = [for (n, i) in names: if (i > 0) {", // 24
  '  name: n', // 25
  "  properties: { encryption: { keySource: contains(n, '}') ? 'a' : 'b' } }", // 26
  '}]', // 27
  "module storage 'br/public:avm/res/storage/storage-account:0.9.0' = {", // 28
  "  name: 'st'", // 29
  "  params: { keySource: loadTextContent('key.txt') }", // 30
  '}', // 31
  'output uri string = vault.properties.vaultUri' // 32
].join('\n');

describe('readBicep', () => {
  const file = readBicep(text);

  it('finds resource and module declarations, nested ones with their full type and parent::child name', () => {
    const summary = (d: (typeof file.declarations)[number]): unknown => ({
      keyword: d.keyword,
      name: d.qualifiedName,
      type: d.type ?? d.path,
      line: d.at.line,
      children: d.children.map(summary)
    });
    expect(file.declarations.map(summary)).toEqual([
      {
        keyword: 'resource',
        name: 'vault',
        type: 'Microsoft.KeyVault/vaults',
        line: 7,
        children: [
          { keyword: 'resource', name: 'vault::key', type: 'Microsoft.KeyVault/vaults/keys', line: 20, children: [] }
        ]
      },
      { keyword: 'resource', name: 'accounts', type: 'Microsoft.CognitiveServices/accounts', line: 24, children: [] },
      {
        keyword: 'module',
        name: 'storage',
        type: 'br/public:avm/res/storage/storage-account:0.9.0',
        line: 28,
        children: []
      }
    ]);
  });

  it('gives the line and column of a property, of an array item, and of a loop body’s property', () => {
    const [vault, accounts] = file.declarations;
    expect(positionInBody(vault.body, ['name'])).toEqual({ line: 8, column: 3 });
    expect(positionInBody(vault.body, ['properties', 'accessPolicies', '0', 'permissions', 'keys'])).toEqual({
      line: 12,
      column: 24
    });
    expect(positionInBody(vault.body, ['properties', 'description'])).toEqual({ line: 15, column: 5 });
    // A property named `resource` is a property, not a declaration.
    expect(positionInBody(vault.body, ['properties', 'resource', 'nested'])).toEqual({ line: 18, column: 17 });
    expect(positionInBody(accounts.body, ['properties', 'encryption', 'keySource'])).toEqual({ line: 26, column: 31 });
    // What the body does not write out points at the deepest part that it does.
    expect(positionInBody(vault.body, ['properties', 'enablePurgeProtection'])).toEqual({ line: 9, column: 3 });
    expect(positionInBody(vault.body, ['PROPERTIES', 'ACCESSPOLICIES'])).toEqual({ line: 10, column: 5 });
  });

  it('knows parameters, variables and outputs by name, and the files a load…() reads', () => {
    expect([...file.named.values()].map(n => [n.keyword, n.name, n.at.line])).toEqual([
      ['param', 'name', 2],
      ['var', 'tags', 4],
      ['output', 'uri', 32]
    ]);
    expect(file.loads).toEqual([{ function: 'loadTextContent', path: 'key.txt', at: { line: 30, column: 24 } }]);
    expect(file.references).toEqual([]);
  });

  it('reads a parameter file’s using, and local modules and imports as references', () => {
    expect(readBicep("using './main.bicep'\nparam a = 1\n").using).toBe('./main.bicep');
    const refs = readBicep(
      "import { t } from 'types.bicep'\nmodule m './m.bicep' = {\n  name: 'm'\n}\nmodule r 'br:example.azurecr.io/x:1' = {}\n"
    ).references;
    expect(refs.map(r => [r.path, r.at.line])).toEqual([
      ['types.bicep', 1],
      ['./m.bicep', 2]
    ]);
    expect([isLocalPath('modules/a.bicep'), isLocalPath('br/public:x:1'), isLocalPath('ts:sub/rg/spec:1')]).toEqual([
      true,
      false,
      false
    ]);
  });

  it('moves on past a closing bracket or parenthesis that does not close the object it is in', () => {
    // Each of these once looped for ever: the object's loop met a `]` or `)` that ends no object,
    // and neither it nor the expression skipper moved past it.
    const bodies = ['[ { a: 1 ] } ]', '[ { a: 1 ) } ]', '{ a: { b: 1 ) } }', '{ ] }', '{ a: b ) c: d }', '[{ ]'];
    for (const body of bodies) {
      const file = readBicep(
        `resource first 'Microsoft.KeyVault/vaults@2023-07-01' = ${body}\n` +
          `resource second 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n`
      );
      expect(file.declarations.map(d => d.symbolicName)).toContain('first');
    }
  });

  it('never throws and always ends, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              // Whole heads, so bodies (objects, arrays, loops) are read, not only skipped.
              "resource r 'Microsoft.KeyVault/vaults@2023-07-01' = ",
              "module m './m.bicep' = ",
              'a: ',
              ',',
              'resource ',
              "'",
              '{',
              '}',
              '[',
              ']',
              '(',
              ')',
              '\n',
              ':',
              'for ',
              'if ',
              '/*',
              '//',
              "'''",
              '${',
              '@',
              'x',
              ' '
            ),
            fc.string()
          ),
          { maxLength: 60 }
        ),
        parts => {
          readBicep(parts.join(''));
        }
      ),
      { numRuns: 300 }
    );
  });

  it('always ends on bodies made of brackets, properties and values alone', () => {
    // Random text seldom builds a body; these pieces do, with brackets that close nothing.
    const pieces = fc.constantFrom('{', '}', '[', ']', '(', ')', 'a: ', 'x', ',', '\n', "'s'", 'for i in y: ');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 24 }), parts => {
        const file = readBicep(`resource r 'Microsoft.KeyVault/vaults@2023-07-01' = ${parts.join('')}`);
        expect(file.declarations[0].symbolicName).toBe('r');
      }),
      { numRuns: 500 }
    );
  });
});
