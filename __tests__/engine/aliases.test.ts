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
import fs from 'node:fs';
import os from 'node:os';
import { DefinitionError, loadDefinition, lookupAlias, nearestAliases } from '../../src/engine/index.js';
import { checkDefinitionsCommand } from '../../src/commands/check-definitions.js';
import { armResource } from '../support/arm-resource.js';

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
