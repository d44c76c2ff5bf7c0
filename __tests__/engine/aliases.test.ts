/**
 * Field paths Azure refuses when a definition is created are refused here, as that definition's
 * error with the nearest known names; an alias the catalog cannot vouch for is said to be unknown
 * instead of being read at a guessed path.
 * FIELDS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 * ALIAS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-alias
 * Azure's error for an alias it does not have: "InvalidPolicyAlias: … The 'field' property
 * 'Microsoft.ApiManagement/service/virtualNetworkType' of the policy rule doesn't exist as an alias under
 * provider 'Microsoft.ApiManagement' and resource type 'service'" (Azure/azure-policy#363).
 */
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import {
  aliasModifiable,
  DefinitionError,
  loadDefinition,
  lookupAlias,
  nearestAliases
} from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { checkDefinitionsCommand } from '../../src/commands/check-definitions.js';
import { armResource } from '../support/arm-resource.js';
import { aliasCount, shardsOf } from '../../src/engine/aliases.js';
import { ALIAS_SHARDS } from '../../src/engine/aliases.data.js';

const nic = 'Microsoft.Network/networkInterfaces';

function rule(condition: unknown, type = nic) {
  return {
    properties: {
      mode: 'All',
      policyRule: { if: { allOf: [{ field: 'type', equals: type }, condition] }, then: { effect: 'audit' } }
    }
  };
}

function refusal(json: unknown): DefinitionError {
  try {
    loadDefinition({ file: 'def.json', json });
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error('the definition loaded');
}

describe('aliases Azure refuses (ALIAS, InvalidPolicyAlias)', () => {
  it.each([
    ['a field condition', { field: `${nic}/ipConfigurations[0].name`, equals: 'x' }],
    ['a count', { count: { field: `${nic}/ipConfigurations[1]` }, equals: 1 }],
    ['a field() call', { value: `[field('${nic}/ipConfigurations[0].name')]`, equals: 'x' }]
  ])('an alias that indexes an array by number is refused in %s, with the [*] alias suggested', (_where, condition) => {
    // ALIAS: "The array alias [*] represents a collection of values selected from the elements of an array";
    // no alias selects one member by position.
    const error = refusal(rule(condition));
    expect(error.message).toMatch(/indexes an array by position/);
    expect(error.message).toMatch(/did you mean 'Microsoft\.Network\/networkInterfaces\/ipConfigurations\[\*\]/);
    expect(error.file).toBe('def.json');
    expect(error.jsonPath).toMatch(/^properties\.policyRule\.if\.allOf\[1\]/);
  });

  it('a plain property path with a numeric index is refused, and the alias for that path on the rule’s type suggested', () => {
    // FIELDS lists the fields a condition can name: name, fullName, kind, type, location, id, identity.type,
    // tags, and property aliases. `properties.ipConfigurations[0].name` is none of them.
    const error = refusal(rule({ field: 'properties.ipConfigurations[0].name', equals: 'x' }));
    expect(error.message).toMatch(/'properties\.ipConfigurations\[0\]\.name' indexes an array by position/);
    expect(error.message).toContain("did you mean 'Microsoft.Network/networkInterfaces/ipConfigurations[*].name'");
  });

  it.each(['properties.encryption.keySource', 'sku.name', 'identity.principalId', 'properties'])(
    'a property path that is not a field Azure knows (%s) is refused',
    text => {
      const error = refusal(rule({ field: text, exists: true }));
      expect(error.message).toMatch(/is not a field Azure Policy accepts/);
    }
  );

  it.each([
    'name',
    'Name',
    'fullName',
    'kind',
    'type',
    'location',
    'id',
    'identity.type',
    'tags',
    "tags['a b']",
    'tags.env',
    'tags[env]',
    'identity.userAssignedIdentities'
  ])('the fields FIELDS lists (%s) load', text => {
    expect(() => loadDefinition({ file: null, json: rule({ field: text, exists: true }) })).not.toThrow();
  });

  it('one definition’s refused alias does not stop another from loading', () => {
    const good = loadDefinition({ file: null, json: rule({ field: `${nic}/ipConfigurations[*].name`, equals: 'x' }) });
    expect(() => refusal(rule({ field: `${nic}/ipConfigurations[0].name`, equals: 'x' }))).not.toThrow();
    expect(good.evaluate(armResource({ type: nic, name: 'n', properties: {} })).applicable).toBe(true);
  });
});

describe('aliases the catalog cannot vouch for', () => {
  const unknownAlias = 'Microsoft.Contoso/widgets/colour';
  const def = () =>
    loadDefinition({ file: null, json: rule({ field: unknownAlias, equals: 'blue' }, 'Microsoft.Contoso/widgets') });

  it('load with a note that says what is unknown', () => {
    expect(lookupAlias(unknownAlias)).toMatchObject({ status: 'unknown' });
    expect(def().notes.join('\n')).toMatch(
      /alias 'Microsoft\.Contoso\/widgets\/colour' is not in cmk-guard's alias catalog .* conditions on it are indeterminate/
    );
  });

  it('are read as unknown, not at a guessed path: the verdict is indeterminate and names the alias', () => {
    const e = def().evaluate(
      armResource({ type: 'Microsoft.Contoso/widgets', name: 'w', properties: { colour: 'blue' } })
    );
    expect(e.verdict).toBe('indeterminate');
    expect(e.reason).toMatch(/Microsoft\.Contoso\/widgets\/colour/);
  });

  it('are read where the loader declares them (options.aliases)', () => {
    const declared = loadDefinition(
      { file: null, json: rule({ field: unknownAlias, equals: 'blue' }, 'Microsoft.Contoso/widgets') },
      { aliases: { [unknownAlias]: 'properties.colour' } }
    );
    expect(declared.notes).toEqual([]);
    const resource = (colour: string) =>
      armResource({ type: 'Microsoft.Contoso/widgets', name: 'w', properties: { colour } });
    expect(declared.evaluate(resource('blue')).verdict).toBe('noncompliant');
    expect(declared.evaluate(resource('red')).verdict).toBe('compliant');
  });
});

describe('the catalog API', () => {
  it('answers known aliases case-insensitively with their published path', () => {
    expect(lookupAlias('microsoft.network/networkinterfaces/IPCONFIGURATIONS[*].name')).toMatchObject({
      status: 'known',
      name: 'Microsoft.Network/networkInterfaces/ipConfigurations[*].name',
      path: 'properties.ipConfigurations[*].name',
      pathSource: 'published'
    });
  });

  it('suggests the nearest aliases of the same type', () => {
    expect(nearestAliases(`${nic}/ipConfigurations[*].nme`)[0]).toBe(`${nic}/ipConfigurations[*].name`);
  });
});

describe('check-definitions warns about what loads with a remark', () => {
  it('prints one warning per remark and counts them; warnings do not fail', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-aliases-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'contoso.json'),
        JSON.stringify(rule({ field: 'Microsoft.Contoso/widgets/colour', equals: 'x' }, 'Microsoft.Contoso/widgets'))
      );
      let out = '';
      const code = await checkDefinitionsCommand.run({}, [dir], {
        cwd: dir,
        env: {},
        stdout: s => (out += s),
        stderr: s => (out += s)
      });
      expect(code).toBe(0);
      expect(out).toMatch(
        /^contoso\.json: warning: properties\.policyRule\.if\.allOf\[1\]\.field: alias 'Microsoft\.Contoso\/widgets\/colour' is not in cmk-guard's alias catalog/m
      );
      expect(out.trim().split('\n').pop()).toBe('checked 1 definitions: 1 loaded, 0 unsupported, 0 invalid, 1 warning');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the resource types the pack is about are complete in the catalog (ALIAS)', () => {
  const account = 'Microsoft.CognitiveServices/accounts';

  it('an alias of one of them that the catalog lacks is refused, with the nearest alias suggested', () => {
    const error = refusal(rule({ field: `${account}/encryption.keySorce`, equals: 'Microsoft.KeyVault' }, account));
    expect(error.message).toMatch(
      /'Microsoft\.CognitiveServices\/accounts\/encryption\.keySorce' is not an alias of Microsoft\.CognitiveServices\/accounts \(Azure rejects the definition: InvalidPolicyAlias\); did you mean 'Microsoft\.CognitiveServices\/accounts\/encryption\.keySource'/
    );
    expect(lookupAlias('microsoft.keyvault/vaults/enablesoftdeletes')).toMatchObject({
      status: 'refused',
      suggestions: expect.arrayContaining(['Microsoft.KeyVault/vaults/enableSoftDelete'])
    });
  });

  it('aliases newer than the public dumps, from Microsoft’s own alias data, are known', () => {
    expect(lookupAlias(`${account}/a365LoggingEnabled`)).toMatchObject({ status: 'known', pathSource: 'published' });
  });

  it('so is one in an existence condition, which names the related type', () => {
    const error = refusal({
      properties: {
        mode: 'All',
        policyRule: {
          if: { field: 'type', equals: account },
          then: {
            effect: 'auditIfNotExists',
            details: {
              type: 'Microsoft.KeyVault/vaults',
              existenceCondition: { field: 'Microsoft.KeyVault/vaults/enablePurgeProtecton', equals: true }
            }
          }
        }
      }
    });
    expect(error.jsonPath).toBe('properties.policyRule.then.details.existenceCondition.field');
    expect(error.message).toContain("did you mean 'Microsoft.KeyVault/vaults/enablePurgeProtection'");
  });
});

describe('aliases Azure accepted in its own definitions exist', () => {
  it('an alias newer than the provider dump, used by a built-in, is known with its published path', () => {
    // Built-in "App Service apps should have SSH disabled" (WebApp_SshEnabled_Audit) reads it.
    expect(lookupAlias('Microsoft.Web/sites/sshEnabled')).toMatchObject({
      status: 'known',
      path: 'properties.sshEnabled',
      pathSource: 'published'
    });
  });
  it('a data-plane alias no dump lists is known, its path by convention, and loading says so', () => {
    expect(lookupAlias('Microsoft.KeyVault.Data/vaults/keys/keyType')).toMatchObject({
      status: 'known',
      path: 'properties.keyType',
      pathSource: 'convention'
    });
  });
});

describe('modify operations write only modifiable aliases (InvalidPolicyRuleModifyDetails)', () => {
  // Azure: "The policy definition '…' has operations referring to aliases that are not modifiable: '…'"
  // (Azure/azure-rest-api-specs#26759, Azure/azure-policy#1002). MODIFY: "The property the alias maps to
  // is marked as Modifiable"; https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify
  const account = 'Microsoft.CognitiveServices/accounts';
  const modify = (field: string, effect = 'modify', value: Value = 'x') => ({
    properties: {
      mode: 'Indexed',
      parameters: { effect: { type: 'String', defaultValue: 'Modify', allowedValues: ['Modify', 'Disabled'] } },
      policyRule: {
        if: { field: 'type', equals: account },
        then: {
          effect,
          details: {
            roleDefinitionIds: [
              '/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c'
            ],
            operations: [{ operation: 'addOrReplace', field, value }]
          }
        }
      }
    }
  });

  it('says whether an alias is modifiable where public data does', () => {
    expect(aliasModifiable(`${account}/disableLocalAuth`)).toBe(true);
    expect(aliasModifiable(`${account}/encryption.keySource`)).toBe(false);
    expect(aliasModifiable('Microsoft.Web/sites/httpsOnly')).toBe(true); // a built-in Modify writes it
    expect(aliasModifiable('Microsoft.Web/sites/clientCertEnabled')).toBeUndefined();
  });

  it.each(['modify', "[parameters('effect')]"])(
    'a modify operation on an alias Azure does not mark modifiable is refused (effect %s)',
    effect => {
      // Setting a customer-managed key through Modify is exactly what Azure refuses: encryption.keySource
      // of an AI services account is not modifiable.
      const error = refusal(modify(`${account}/encryption.keySource`, effect, 'Microsoft.KeyVault'));
      expect(error.message).toMatch(
        /write 'Microsoft\.CognitiveServices\/accounts\/encryption\.keySource', which Azure does not mark modifiable; Azure refuses the definition \(InvalidPolicyRuleModifyDetails\)/
      );
      expect(error.jsonPath).toBe('properties.policyRule.then.details.operations');
    }
  );

  it('a modifiable alias loads without a remark', () => {
    expect(loadDefinition({ file: null, json: modify(`${account}/disableLocalAuth`, 'modify', true) }).notes).toEqual(
      []
    );
  });

  it('an alias no public data speaks for loads, and the remark says Azure may refuse it', () => {
    const def = loadDefinition({ file: null, json: modify('Microsoft.Web/sites/clientCertEnabled', 'modify', true) });
    expect(def.notes.join('\n')).toMatch(/no public alias data says whether Azure lets a modify operation write/);
  });

  it('tags and identity.type may be written; another resource field may not', () => {
    expect(() => loadDefinition({ file: null, json: modify("tags['env']") })).not.toThrow();
    expect(() =>
      loadDefinition({ file: null, json: modify('identity.type', 'modify', 'SystemAssigned') })
    ).not.toThrow();
    expect(refusal(modify('location')).message).toMatch(
      /writes tags, identity\.type or a modifiable alias, not 'location'/
    );
  });

  it('an alias Azure does not have is refused in an operation too', () => {
    expect(refusal(modify(`${account}/disableLocalAuthentication`, 'modify', true)).message).toMatch(
      /InvalidPolicyAlias/
    );
  });
});

describe('a count over an alias the catalog cannot vouch for', () => {
  it('is indeterminate, naming the alias, not a count of the resource itself', () => {
    const def = loadDefinition({
      file: null,
      json: rule({ count: { field: 'Microsoft.Contoso/widgets/parts[*]' }, greater: 0 }, 'Microsoft.Contoso/widgets')
    });
    const e = def.evaluate(armResource({ type: 'Microsoft.Contoso/widgets', name: 'w', properties: { parts: [1] } }));
    expect(e.verdict).toBe('indeterminate');
    expect(e.reason).toMatch(/Microsoft\.Contoso\/widgets\/parts\[\*\]/);
  });
});

describe('the catalog shards', () => {
  const shards = [...ALIAS_SHARDS].map(([key, data]) => ({
    key,
    names: brotliDecompressSync(Buffer.from(data, 'base64'))
      .toString('utf8')
      .split('\n')
      .map(line => line.split('\t')[0].toLowerCase())
  }));

  it('hold every alias in a shard its name leads the lookup to', () => {
    let checked = 0;
    for (const { key, names } of shards) {
      for (const name of names) {
        if (!shardsOf(name).includes(key))
          throw new Error(`${name} is in the shard ${key}, not in ${shardsOf(name).join(' or ')}`);
        checked++;
      }
    }
    expect(checked).toBe(aliasCount());
  });

  it('split the largest namespace by resource type, so reading one type does not unpack the whole provider', () => {
    const network = shards.filter(s => s.key === 'microsoft.network' || s.key.startsWith('microsoft.network/'));
    const privateEndpoints = shards.find(s => s.key === 'microsoft.network/privateendpoints');
    expect(privateEndpoints?.names).toContain(
      'microsoft.network/privateendpoints/privatelinkserviceconnections[*].privatelinkserviceid'
    );
    const total = network.reduce((n, s) => n + s.names.length, 0);
    expect(privateEndpoints!.names.length).toBeLessThan(total / 20);
    expect(shardsOf('microsoft.network/privateendpoints/subnet.id')).toEqual([
      'microsoft.network',
      'microsoft.network/privateendpoints'
    ]);
    expect(shardsOf('microsoft.compute/imagepublisher')).toEqual(['microsoft.compute']);
  });

  it('answer a lookup with the alias’s own line, in any case, without unpacking the whole shard', () => {
    // A reading of a line as the catalog's format says (name, paths, then flags after '!').
    const expected = (line: string) => {
      const fields = line.split('\t');
      const flags = fields.length > 1 && fields[fields.length - 1].startsWith('!') ? fields.pop()!.slice(1) : '';
      return {
        name: fields[0],
        paths: fields.length > 1 ? fields.slice(1) : [`properties.${fields[0].slice(fields[0].lastIndexOf('/') + 1)}`],
        pathSource: flags.includes('c') ? 'convention' : 'published',
        modifiable: flags.includes('m') ? true : flags.includes('r') ? false : undefined
      };
    };
    let checked = 0;
    for (const [key, data] of ALIAS_SHARDS) {
      const lines = brotliDecompressSync(Buffer.from(data, 'base64')).toString('utf8').split('\n');
      // Every line of the small shards; of the large ones the first, the last and every 211th.
      lines.forEach((line, i) => {
        if (line === '' || (lines.length > 200 && i % 211 !== 0 && i !== lines.length - 1 && i !== 0)) return;
        const want = expected(line);
        const spelled = checked % 2 === 0 ? want.name.toUpperCase() : want.name;
        const found = lookupAlias(spelled);
        if (found.status !== 'known') throw new Error(`${spelled} (${key}) is ${found.status}`);
        expect({
          name: found.name,
          paths: found.paths,
          pathSource: found.pathSource,
          modifiable: found.modifiable
        }).toEqual(want);
        expect(aliasModifiable(spelled)).toBe(want.modifiable);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(2000);
    // A name that begins another's, ends one, or has the separators of the format in it is not that other.
    expect(lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtection').status).toBe('known');
    expect(lookupAlias('Microsoft.KeyVault/vaults/enablePurge').status).toBe('refused');
    expect(lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtectionX').status).toBe('refused');
    expect(lookupAlias('vaults/enablePurgeProtection').status).toBe('unknown');
    const first = lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtection');
    const withPath = `Microsoft.KeyVault/vaults/enablePurgeProtection\t${first.status === 'known' ? first.path : ''}`;
    expect(lookupAlias(withPath).status).not.toBe('known');
    expect(lookupAlias('Microsoft.KeyVault/vaults/enablePurgeProtection\n').status).not.toBe('known');
    expect(aliasModifiable(withPath)).toBeUndefined();
  });

  it('hold no alias twice (in any case), so which shard is read first does not change an answer', () => {
    const seen = new Set<string>();
    for (const { names } of shards) for (const name of names) seen.add(name);
    expect(seen.size).toBe(aliasCount());
  });
});
