import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandCommand } from '../../src/commands/expand.js';
import type { CommandIO } from '../../src/commands/command.js';
import { fixtures } from './helpers.js';

function io(): CommandIO & { out: string; err: string } {
  const captured = { out: '', err: '' };
  return Object.assign(captured, {
    cwd: fixtures,
    env: {},
    stdout: (text: string) => void (captured.out += text),
    stderr: (text: string) => void (captured.err += text)
  });
}

describe('cmk-guard expand', () => {
  test('prints the expanded resources with positions; unknowns as "<unknown: reason>" with their keys', async () => {
    const terminal = io();
    const code = await expandCommand.run(
      { parameter: ['accountName=ai-cli'], positions: true },
      ['params/main.json'],
      terminal
    );
    expect(code).toBe(0);
    const printed = JSON.parse(terminal.out);
    expect(printed.file).toBe('params/main.json');
    expect(printed.parameterFile).toBe('params/main.parameters.json');
    const [account] = printed.resources;
    expect(account.name).toBe('ai-cli');
    expect(account.source).toEqual({ file: 'params/main.json', line: 14, column: 5 });
    expect(account.json.properties.encryption.keySource).toBe('Microsoft.KeyVault');
    expect(account.positions['/properties/encryption/keySource']).toBe('params/main.json:21:39');
  });

  test('renders unknowns and lists their keys', async () => {
    const terminal = io();
    await expandCommand.run({}, ['condition/main.json'], terminal);
    const printed = JSON.parse(terminal.out);
    const maybe = printed.resources.find((r: { name: string }) => r.name === 'ai-maybe');
    expect(maybe.conditionUnknown).toMatch(/parameter 'deployCmk'/);
    const identity = await (async () => {
      const t = io();
      await expandCommand.run({}, ['identity/main.json'], t);
      return JSON.parse(t.out).resources[0];
    })();
    expect(identity.json.identity.principalId).toMatch(/^<unknown: the principalId of .*ai-identity/);
    expect(identity.unknowns['/identity/principalId'].key).toMatch(
      /^reference\(.*ai-identity\)\.identity\.principalId$/
    );
  });

  test('a template error exits 2 with file:line:column on stderr', async () => {
    const terminal = io();
    const code = await expandCommand.run({}, ['errors/unknown-function.json'], terminal);
    expect(code).toBe(2);
    expect(terminal.err).toMatch(/unknown-function\.json:8:17: The template function 'notAFunction' is not valid/);
  });

  test('prints each state a resource written by deployments that no dependsOn orders may end in, saying so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-expand-race-'));
    try {
      const schema = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
      const write = (name: string, keySource: string) => ({
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name,
        properties: {
          mode: 'Incremental',
          template: {
            $schema: schema,
            contentVersion: '1.0.0.0',
            resources: [
              {
                type: 'Microsoft.CognitiveServices/accounts',
                apiVersion: '2024-10-01',
                name: 'oai',
                location: 'westeurope',
                kind: 'AIServices',
                sku: { name: 'S0' },
                properties: { encryption: { keySource } }
              }
            ]
          }
        }
      });
      writeFileSync(
        path.join(dir, 'main.json'),
        JSON.stringify({
          $schema: schema,
          contentVersion: '1.0.0.0',
          resources: [write('first', 'Microsoft.CognitiveServices'), write('second', 'Microsoft.KeyVault')]
        })
      );
      const terminal = { ...io(), cwd: dir };
      let out = '';
      terminal.stdout = (text: string) => void (out += text);
      expect(await expandCommand.run({}, ['main.json'], terminal)).toBe(0);
      const states = JSON.parse(out).resources as {
        json: { properties: { encryption: { keySource: string } } };
        race: string;
      }[];
      expect(states.map(s => s.json.properties.encryption.keySource).sort()).toEqual([
        'Microsoft.CognitiveServices',
        'Microsoft.KeyVault'
      ]);
      for (const state of states) expect(state.race).toMatch(/one of 2 states oai may end in/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
