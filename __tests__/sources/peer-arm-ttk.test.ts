/**
 * Robustness against Azure/arm-ttk's test templates (MIT; `unit-tests/`, copied unchanged into
 * __tests__/fixtures/peer/arm-ttk/, see the README there). arm-ttk checks best practices, so many of
 * its templates are fragments ARM would refuse. Whatever the template, cmk-guard must not crash: it
 * expands what ARM deploys, and refuses what ARM refuses with a user error at the file and line of
 * the fault. All 405 JSON files of `unit-tests/` were run through `cmk-guard expand` (250 expanded,
 * 155 refused, none crashed); these are one of each kind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile, TemplateError } from '../../src/sources/index.js';
import { UserError } from '../../src/model/errors.js';
import { fixtures } from './helpers.js';

const root = path.join(fixtures, '..', 'peer', 'arm-ttk');
const ttk = (name: string): string => path.join(root, name);

/** Templates ARM deploys: each expands without an error, to the resources it declares. */
const deployable: [string, number][] = [
  ['JSONFiles-Should-Be-Valid/Pass/azuredeploy.json', 1],
  ['Common/Pass/100-marketplace-sample/azuredeploy.json', 1],
  ['_arm-ttk-module/NestedInnerTemplates.json', 1],
  ['apiversions-should-be-recent/Pass/ApiVersion-In-SymbolicResource.json', 1],
  // A module that deploys nothing but outputs.
  ['Parameter-Types-Should-Be-Consistent/Pass/bicepTemplate.json', 0],
  ['Location-Should-Not-Be-Hardcoded/Fail/inner-scope-default.json', 1]
];

describe('arm-ttk templates ARM deploys expand', () => {
  test.each(deployable)('%s', (name, atLeast) => {
    const { resources, errors } = expandTemplateFile(ttk(name), { root });
    expect(errors).toEqual([]);
    expect(resources.length).toBeGreaterThanOrEqual(atLeast);
  });
});

/** Templates ARM refuses: the line of the fault and what the message says. */
const refused: [string, number, RegExp][] = [
  ['CommandToExecute-Must-Use-ProtectedSettings-For-Secrets/Fail/List.json', 6, /needs a "type"/],
  ['CommandToExecute-Must-Use-ProtectedSettings-For-Secrets/Fail/UnsecuredParameter.json', 13, /needs a "name"/],
  [
    'IDs-Should-Be-Derived-From-ResourceIDs/Pass/IDs-In-KeyVault.json',
    7,
    /parameter 'certificateOrderName' is not found/
  ],
  [
    'IDs-Should-Be-Derived-From-ResourceIDs/Pass/template-that-contains-contentProductId-should-pass.json',
    8,
    /incorrect segment lengths/
  ],
  ['Resources-Should-Not-Be-Ambiguous/Pass/top-level-child-expression.json', 11, /is not closed/],
  ['VM-Size-Should-Be-A-Parameter/Pass/azuredeploy.json', 23, /'copyIndex' is not expected here/],
  ['_arm-ttk-module/Bad.json', 3, /after the value of "notgood"/],
  ['Variables-Must-Be-Referenced/Pass/Variable-List-Value.json', 6, /is not of type string/],
  ['DeploymentTemplate-Schema-Is-Correct/Fail/NestedTemplate-Without-Schema.json', 19, /no "resources"/],
  ['Min-And-Max-Value-Are-Numbers/Fail/Min-Is-Not-Int.json', 1, /no "resources"/],
  // _artifactsLocation drops the template's own folder's trailing '/', and the link is built without
  // one: '<folder>diagnostics-aa-deploy-policy.json', beside the folder, which is not there.
  ['_arm-ttk-module/InnerTemplateWithEscapeSequence.json', 53, /does not exist/]
];

describe('arm-ttk templates ARM refuses are refused at their line', () => {
  test.each(refused)('%s:%d', (name, line, message) => {
    const file = ttk(name);
    let thrown: unknown;
    let expanded: ReturnType<typeof expandTemplateFile> | undefined;
    try {
      expanded = expandTemplateFile(file, { root });
    } catch (error) {
      thrown = error;
    }
    // A fault ARM finds whatever the values is thrown; one in a value is listed with the resources.
    const error = (thrown ?? expanded?.errors[0]) as TemplateError | undefined;
    expect(error).toBeInstanceOf(UserError);
    expect(error?.location?.file).toBe(file);
    expect(error?.location?.line).toBe(line);
    expect(error?.message).toMatch(message);
    expect(line).toBeLessThanOrEqual(fs.readFileSync(file, 'utf8').split('\n').length);
  });
});

test('a relativePath link to a file that is not there is refused at the link', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-peer-ttk-'));
  try {
    const file = path.join(dir, 'main.json');
    const text = JSON.stringify(
      {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'nested',
            properties: { mode: 'Incremental', templateLink: { relativePath: 'modules/missing.json' } }
          }
        ]
      },
      null,
      2
    );
    fs.writeFileSync(file, text);
    let thrown: unknown;
    try {
      expandTemplateFile(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    const error = thrown as UserError;
    expect(error.location?.file).toBe(file);
    expect(error.location?.line).toBe(text.split('\n').findIndex(l => l.includes('"relativePath"')) + 1);
    expect(error.message).toMatch(/The linked template 'modules\/missing\.json' does not exist/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
