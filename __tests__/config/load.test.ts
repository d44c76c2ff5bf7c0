import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { isUserError, UserErrors } from '../../src/model/errors.js';

const fixtures = path.resolve('__tests__/fixtures/config');

function mistakes(file: string): string[] {
  try {
    loadConfig(path.join(fixtures, file), fixtures);
  } catch (error) {
    if (!isUserError(error)) throw error;
    return (error instanceof UserErrors ? error.errors : [error]).map(e => e.describe());
  }
  throw new Error(`${file} loaded without an error`);
}

describe('the published schema', () => {
  it('is committed at schemas/cmk-guard.schema.json, equal to the one cmk-guard checks with (npm run generate:schemas)', () => {
    const published = JSON.parse(readFileSync('schemas/cmk-guard.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema)));
  });

  it('is a valid JSON Schema 2020-12 that ajv compiles in strict mode', () => {
    const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(ajv.validateSchema(configSchema)).toBe(true);
    expect(() => ajv.compile(configSchema)).not.toThrow();
  });

  it('is what the README tells editors to use, and the example configuration passes it', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('# yaml-language-server: $schema=');
    expect(readme).toContain('schemas/cmk-guard.schema.json');
    const example = readme.match(/```yaml\n(# yaml-language-server[\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-readme-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), example!);
      const config = loadConfig(path.join(dir, 'cmk-guard.yaml'), dir);
      expect(config.exceptions.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading cmk-guard.yaml', () => {
  it('reads every setting, with exceptions and overrides placed at their lines', () => {
    const workspace = path.resolve('__tests__/fixtures/exceptions/workspace');
    const config = loadConfig(path.join(workspace, 'cmk-guard.yaml'), workspace);
    expect(config.file).toBe('cmk-guard.yaml');
    expect(config.settings).toEqual({ templates: ['infra/**/*.json'] });
    expect(config.exceptions.map(e => [e.kind, e.rules, e.category, e.source.line, e.expires ?? null])).toEqual([
      ['external', ['foundry-tools-cmk'], 'waiver', 5, '2027-03-31'],
      ['external', ['foundry-tools-cmk'], 'mitigated', 11, null],
      ['external', ['foundry-tools-cmk'], 'waiver', 18, '2026-11-30'],
      ['external', ['foundry-tools-cmk'], 'waiver', 24, null]
    ]);
    expect(config.exceptions[1].resources).toEqual([
      { name: 'speech-*', type: 'Microsoft.CognitiveServices/accounts' }
    ]);
  });

  it('reports every mistake at once, in file order, each at its line with what to change', () => {
    expect(mistakes('mistakes.yaml')).toEqual([
      'mistakes.yaml:1:12: `templates` must be a list, not `infra/**/*.json`; change its value.',
      'mistakes.yaml:2:10: `fail-on` is `critical`; change it to one of `error`, `warning`, `note`, `never`.',
      'mistakes.yaml:3:1: `overides` is not a field of the configuration; did you mean `overrides`?',
      'mistakes.yaml:8:16: `exceptions[0].resources` is an empty list; list at least 1.',
      'mistakes.yaml:9:13: `exceptions[0].reason` is empty; write why the finding is accepted, in a sentence.',
      'mistakes.yaml:10:5: `exceptions[1]` is missing `reason`; add why the finding is accepted, in a sentence.',
      'mistakes.yaml:12:9: `exceptions[1].resources[0]` is empty; give at least one of `id`, `name`, `type`, `file`.',
      'mistakes.yaml:13:27: `group` is not a field of `exceptions[1].resources[1]`; remove it (fields: id, name, type, file).',
      'mistakes.yaml:14:14: `exceptions[1].expires` is `31/03/2027`; it must be a date written `YYYY-MM-DD`, e.g. `2027-03-31`.',
      'mistakes.yaml:15:15: `exceptions[1].category` is `accepted`; change it to one of `waiver`, `mitigated`.',
      'mistakes.yaml:17:21: `azure.enforcement-mode` is `Enforce`; change it to one of `Default`, `DoNotEnforce`.'
    ]);
  });

  it('refuses a date that is not on the calendar', () => {
    expect(mistakes('bad-date.yaml')).toEqual([
      'bad-date.yaml:6:14: `exceptions[0].expires` is `2027-02-30`, which is not a day of the calendar; write a real date such as `2027-03-31`.'
    ]);
  });

  it('refuses an azure.subscription-id that is not a GUID at its line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-config-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'azure:\n  owner: me\n  subscription-id: my-subscription\n');
      expect(() => loadConfig(path.join(dir, 'cmk-guard.yaml'), dir)).toThrow(
        /^`azure\.subscription-id` is `my-subscription`; it must be a subscription id, its GUID, e\.g\. `00000000-0000-0000-0000-000000000000`\.$/
      );
      try {
        loadConfig(path.join(dir, 'cmk-guard.yaml'), dir);
      } catch (error) {
        expect(isUserError(error) && error.describe()).toBe(
          'cmk-guard.yaml:3:20: `azure.subscription-id` is `my-subscription`; it must be a subscription id, its GUID, e.g. `00000000-0000-0000-0000-000000000000`.'
        );
      }
      writeFileSync(
        path.join(dir, 'cmk-guard.yaml'),
        'azure:\n  subscription-id: 00000000-0000-0000-0000-0000000000AA\n'
      );
      expect(loadConfig(path.join(dir, 'cmk-guard.yaml'), dir).azure.subscriptionId).toBe(
        '00000000-0000-0000-0000-0000000000AA'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a YAML syntax error is at its line and column', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-config-'));
    try {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates:\n  - a\n fail-on: error\n');
      expect(() => loadConfig(path.join(dir, 'cmk-guard.yaml'), dir)).toThrow(
        /^the file is not valid YAML: .*; fix the syntax here\.$/
      );
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), '- templates\n');
      expect(() => loadConfig(path.join(dir, 'cmk-guard.yaml'), dir)).toThrow(
        'the configuration file holds a mapping of settings'
      );
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), '# nothing yet\n');
      expect(loadConfig(path.join(dir, 'cmk-guard.yaml'), dir).exceptions).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds cmk-guard.yaml (or .yml) at the root, a named file, or none', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-config-'));
    try {
      expect(findConfigFile(dir, undefined)).toBeNull();
      writeFileSync(path.join(dir, 'cmk-guard.yml'), 'fail-on: note\n');
      expect(findConfigFile(dir, undefined)).toBe(path.join(dir, 'cmk-guard.yml'));
      expect(findConfigFile(dir, 'none')).toBeNull();
      expect(() => findConfigFile(dir, 'ci/cmk-guard.yaml')).toThrow(
        'the configuration file ci/cmk-guard.yaml does not exist; check the path, or leave it out.'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
