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
});
