/**
 * ARM's integers are 64-bit; cmk-guard computes them exactly up to ±2^53 (README, "Integers"). A JSON integer past
 * that is rounded when read (9007199254740993 reads as 9007199254740992), so wherever it is written (a parameter's
 * default, a variable, a resource's property, a parameter file, a --parameter value) it is unknown, saying so, as
 * the same literal inside an expression is, never the rounded number.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { at, byName } from './helpers.js';

const TEMPLATE = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: { big: { type: 'int', defaultValue: 1 }, small: { type: 'int', defaultValue: 9007199254740991 } },
  variables: { v: 1 },
  resources: [
    {
      type: 'Microsoft.Storage/storageAccounts',
      apiVersion: '2022-09-01',
      name: 'st1',
      location: 'westus',
      properties: { literal: 1, inArray: [1, 2], safe: 9007199254740991, float: 2.5 },
      tags: {
        big: "[string(parameters('big'))]",
        variable: "[string(variables('v'))]",
        small: "[string(parameters('small'))]"
      }
    }
  ]
};

/** The template written with some of its 1s as the given integer text (JSON.stringify cannot write one exactly). */
function written(replacements: Record<string, string>): string {
  let text = JSON.stringify(TEMPLATE, null, 2);
  for (const [from, to] of Object.entries(replacements)) text = text.replace(from, to);
  return text;
}

function expand(text: string, files: Record<string, string> = {}, overrides?: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-int64-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.json'), text);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return expandTemplateFile(path.join(dir, 'main.json'), overrides ? { parameterOverrides: overrides } : {});
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const reason = (value: Value | undefined): string => {
  expect(isUnknown(value)).toBe(true);
  return (value as { reason: string }).reason;
};

describe('an integer past ±2^53', () => {
  test('in a default, a variable and a property is unknown; ±2^53 - 1 and floats are read as written', () => {
    const text = written({
      '"defaultValue": 1': '"defaultValue": 9007199254740993',
      '"v": 1': '"v": 9223372036854775807',
      '"literal": 1': '"literal": -9007199254740993',
      '"inArray": [\n          1,': '"inArray": [\n          18446744073709551616,'
    });
    const account = byName(expand(text).resources, 'st1');
    expect(reason(at(account.json, '/tags/big'))).toMatch(/beyond ±2\^53/);
    expect(reason(at(account.json, '/tags/variable'))).toMatch(/beyond ±2\^53/);
    expect(reason(at(account.json, '/properties/literal'))).toMatch(/the integer written at line \d+ is beyond ±2\^53/);
    expect(reason(at(account.json, '/properties/inArray/0'))).toMatch(/beyond ±2\^53/);
    expect(at(account.json, '/properties/inArray/1')).toBe(2);
    expect(at(account.json, '/properties/safe')).toBe(9007199254740991);
    expect(at(account.json, '/properties/float')).toBe(2.5);
    expect(at(account.json, '/tags/small')).toBe('9007199254740991');
  });

  test('given by a parameter file is unknown', () => {
    const parameters = '{"parameters": {"big": {"value": 9007199254740993}}}';
    const account = byName(expand(written({}), { 'main.parameters.json': parameters }).resources, 'st1');
    expect(reason(at(account.json, '/tags/big'))).toMatch(/parameter file .* is beyond ±2\^53/);
  });

  test('given by --parameter is unknown', () => {
    const account = byName(expand(written({}), {}, { big: '9007199254740993' }).resources, 'st1');
    expect(reason(at(account.json, '/tags/big'))).toMatch(/beyond ±2\^53/);
  });
});
