import { loadResourceSnapshot } from '../../src/sources/index.js';
import { fixture } from './helpers.js';

describe('loadResourceSnapshot', () => {
  test('reads a JSON array as az resource list prints it, with positions', () => {
    const [account] = loadResourceSnapshot(fixture('snapshots', 'az-list.json'));
    expect(account).toMatchObject({
      name: 'ai-live',
      type: 'Microsoft.CognitiveServices/accounts',
      origin: 'snapshot'
    });
    expect(account.id).toBe(
      '/subscriptions/1111/resourceGroups/prod/providers/Microsoft.CognitiveServices/accounts/ai-live'
    );
    expect(account.positionOf!('/properties/encryption/keySource')?.line).toBe(9);
  });

  test('reads {"value": [...]} as the REST API returns it', () => {
    const [vault] = loadResourceSnapshot(fixture('snapshots', 'rest.json'));
    expect(vault.name).toBe('kv-live');
    expect(vault.json.properties).toEqual({ enablePurgeProtection: true });
  });

  test('normalises Get-AzResource PascalCase fields to ARM names', () => {
    const [storage] = loadResourceSnapshot(fixture('snapshots', 'powershell.json'));
    expect(storage.type).toBe('Microsoft.Storage/storageAccounts');
    expect(storage.id).toBe(
      '/subscriptions/1111/resourceGroups/prod/providers/Microsoft.Storage/storageAccounts/st-live'
    );
    expect(storage.json).toEqual({
      name: 'st-live',
      type: 'Microsoft.Storage/storageAccounts',
      location: 'westeurope',
      id: '/subscriptions/1111/resourceGroups/prod/providers/Microsoft.Storage/storageAccounts/st-live',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      identity: { principalId: 'abc', type: 'SystemAssigned' },
      tags: { env: 'prod' },
      properties: { encryption: { keySource: 'Microsoft.Storage' } }
    });
    expect(storage.positionOf!('/properties/encryption')?.line).toBe(12);
  });

  test('anything else is a user error naming the file', () => {
    expect(() => loadResourceSnapshot(fixture('copy', 'main.json'))).toThrow(/must be a JSON array of resources/);
  });
});
