/**
 * The committed Bicep fixtures against a real Bicep CLI, where there is one on PATH (GitHub's hosted
 * runners have it; this project's own machines do not, so here it is skipped and says so). The JSON
 * beside each fixture was written by hand (see the fixtures' README): this checks that the template the
 * real CLI compiles reads as that JSON does, the same findings at the same .bicep lines, so the
 * fake CLI the other tests use cannot drift from Bicep unseen.
 */
import path from 'node:path';
import { runCli } from '../../../src/commands/index.js';
import type { FindingsDocument } from '../../../src/model/finding.js';
import { findBicepCli } from '../../../src/sources/bicep/cli.js';
import { installFakeBicep } from '../../support/fake-bicep.js';

const fixtures = path.resolve('__tests__/fixtures/sources/bicep');
const real = findBicepCli(process.env);
// Only a `bicep` executable: `az bicep build` may download Bicep on first use.
const describeReal = real?.label === 'bicep' ? describe : describe.skip;
if (real?.label !== 'bicep')
  console.warn('Skipping the Bicep fixtures against a real Bicep CLI: there is no `bicep` on PATH.');

async function findings(cwd: string, template: string, env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const args = ['evaluate', '--policies', path.resolve('policies'), '-f', 'json', '-t', template];
  const code = await runCli(args, { cwd, env, stdout: t => out.push(t), stderr: t => err.push(t) });
  const document = JSON.parse(out.join('')) as FindingsDocument;
  return {
    code,
    err: err.join(''),
    resources: document.summary.resources,
    findings: document.findings
      .map(f => [f.definition, f.resource.type, f.resource.name, f.verdict, f.resource.file, f.resource.line].join(' '))
      .sort()
  };
}

describeReal('the Bicep fixtures, compiled by the real Bicep CLI', () => {
  it.each([
    ['classic', 'main.bicep'],
    ['typed', 'typed.bicep']
  ])('%s/%s reads as its committed JSON does', async (folder, file) => {
    const cwd = path.join(fixtures, folder);
    const fake = installFakeBicep('bicep');
    try {
      const expected = await findings(cwd, file, fake.env);
      const actual = await findings(cwd, file, { PATH: process.env.PATH, HOME: process.env.HOME });
      expect(actual.err).toBe('');
      expect(actual).toEqual(expected);
    } finally {
      fake.dispose();
    }
  });
});
