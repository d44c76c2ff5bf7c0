/**
 * Paths a pull request controls: SARIF locations outside the repository, report files
 * written where a pull request planted a symbolic link, and templates, parameter files and
 * linked templates that lead out of the repository, are huge, or are not text.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayPath } from '../../src/paths.js';
import type { Finding } from '../../src/model/finding.js';
import { checkOutputPath, writeFileAtomic } from '../../src/report/files.js';
import { FINGERPRINT_KEY } from '../../src/model/fingerprint.js';
import { renderSarif } from '../../src/report/sarif.js';
import { buildDocument } from '../../src/run.js';
import { loadTemplates } from '../../src/sources/index.js';
import { DEFAULT_LIMITS } from '../../src/model/limits.js';
import { sarifValidator } from '../support/sarif.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

function account(name: string): object {
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2023-05-01',
    name,
    location: 'westus',
    kind: 'OpenAI',
    sku: { name: 'S0' }
  };
}

function template(resources: object[] = [account('a')]): string {
  return JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources }, null, 2);
}

let root: string;
let workspace: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-files-'));
  workspace = path.join(root, 'repo');
  mkdirSync(path.join(workspace, 'infra'), { recursive: true });
  writeFileSync(path.join(root, 'secret.txt'), 'SECRET=hunter2\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('SARIF locations', () => {
  function finding(file: string): Finding {
    return {
      definition: 'rule',
      displayName: 'Rule',
      effect: 'deny',
      severity: 'error',
      verdict: 'noncompliant',
      reason: null,
      message: 'm',
      resource: { id: '/x/a', type: 'Microsoft.CognitiveServices/accounts', name: 'A', file, line: 2, column: 3 }
    };
  }

  it('a file outside the repository is an absolute file: URI, never a %SRCROOT% path climbing out', () => {
    const files = ['../../etc/passwd', '/etc/passwd', 'infra/..weird.json', 'infra/a b#c.json'];
    const sarif = renderSarif(buildDocument(files.map(finding), 1, 1), { workspace });
    const validate = sarifValidator();
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    const locations = sarif.runs[0].results.map(r => r.locations[0].physicalLocation!.artifactLocation);
    expect(locations).toEqual([
      { uri: pathToFileURL(path.resolve(workspace, '../../etc/passwd')).href },
      { uri: 'file:///etc/passwd' },
      { uri: 'infra/..weird.json', uriBaseId: '%SRCROOT%' },
      { uri: 'infra/a%20b%23c.json', uriBaseId: '%SRCROOT%' }
    ]);
    expect(displayPath('infra/..weird.json', workspace)).toBe('infra/..weird.json');
  });

  it('fingerprints are the same from two checkouts at different places', () => {
    const run = (ws: string) =>
      renderSarif(buildDocument([finding(path.join(ws, 'infra/main.json'))], 1, 1), { workspace: ws }).runs[0]
        .results[0].partialFingerprints[FINGERPRINT_KEY];
    expect(run('/home/runner/work/r/r')).toBe(run('/tmp/elsewhere/r'));
    expect(run('/home/runner/work/r/r')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('report files the action writes', () => {
  const temp = () => path.join(root, 'runner-temp');

  it('refuses paths outside the repository and the runner temp folder', () => {
    mkdirSync(temp());
    const outside = path.resolve(workspace, '../../elsewhere.sarif');
    expect(() => checkOutputPath('sarif-file', '../../elsewhere.sarif', outside, [workspace, temp()])).toThrow(
      /the input `sarif-file` is '..\/..\/elsewhere.sarif', which is outside the repository/
    );
    expect(() =>
      checkOutputPath('sarif-file', 'x', path.join(workspace, 'out/x.sarif'), [workspace, temp()])
    ).not.toThrow();
    expect(() => checkOutputPath('sarif-file', 'x', path.join(temp(), 'x.sarif'), [workspace, temp()])).not.toThrow();
  });

  it('refuses a symbolic link the pull request committed where the report goes, and a folder that links out', () => {
    symlinkSync(path.join(root, 'secret.txt'), path.join(workspace, 'results.sarif'));
    symlinkSync(root, path.join(workspace, 'reports'));
    mkdirSync(path.join(workspace, 'dir.sarif'));
    const check = (name: string) => () =>
      checkOutputPath('sarif-file', name, path.join(workspace, name), [workspace, temp()]);
    expect(check('results.sarif')).toThrow(/which is a symbolic link/);
    expect(check('reports/results.sarif')).toThrow(/outside the repository/);
    expect(check('dir.sarif')).toThrow(/which is a folder/);
    expect(readFileSync(path.join(root, 'secret.txt'), 'utf8')).toBe('SECRET=hunter2\n');
    expect(existsSync(path.join(root, 'results.sarif'))).toBe(false);
  });

  it('writes atomically: the old content stays when the new cannot be written, and no temporary file is left', () => {
    const dir = path.join(workspace, 'out');
    mkdirSync(dir);
    const file = path.join(dir, 'findings.json');
    writeFileAtomic(file, 'first\n');
    writeFileAtomic(file, 'second\n');
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(readdirSync(dir)).toEqual(['findings.json']);

    // A folder where the file should be renamed to: the rename fails after the content was written.
    const blocked = path.join(dir, 'blocked.json');
    mkdirSync(blocked);
    writeFileSync(path.join(blocked, 'keep'), 'x');
    expect(() => writeFileAtomic(blocked, 'new')).toThrow(/is a folder/);
    expect(readdirSync(dir).sort()).toEqual(['blocked.json', 'findings.json']);

    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o500);
      try {
        expect(() => writeFileAtomic(file, 'third\n')).toThrow();
        expect(readFileSync(file, 'utf8')).toBe('second\n');
      } finally {
        chmodSync(dir, 0o700);
      }
    }
  });

  it('the CLI writes through a link it was given to the file it names, still atomically', () => {
    const target = path.join(workspace, 'real.json');
    writeFileSync(target, 'old');
    symlinkSync(target, path.join(workspace, 'link.json'));
    writeFileAtomic(path.join(workspace, 'link.json'), 'new');
    expect(lstatSync(path.join(workspace, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });
});

describe('templates that lead out of the repository', () => {
  const load = (patterns: string[]) => loadTemplates(patterns, { cwd: workspace });
  const messages = (result: ReturnType<typeof load>) => result.errors.map(e => e.describe());

  it('a template that is a symbolic link to a file outside is refused without reading it', () => {
    symlinkSync(path.join(root, 'secret.txt'), path.join(workspace, 'infra', 'main.json'));
    const result = load(['infra/main.json']);
    expect(messages(result)).toEqual([
      expect.stringMatching(/does not read .*main\.json: it leads outside the repository through a symbolic link/)
    ]);
    expect(messages(result).join('\n')).not.toContain('hunter2');
  });

  it('a folder that links to / is not walked: it is refused by name', () => {
    symlinkSync('/', path.join(workspace, 'infra', 'root'));
    symlinkSync('/', path.join(workspace, 'everything'));
    const started = Date.now();
    const globbed = load(['infra/**/*.json']);
    expect(messages(globbed)).toEqual([
      expect.stringMatching(/does not read .*root: it leads outside the repository through a symbolic link/)
    ]);
    const named = load(['everything', 'everything/**/*.json']);
    expect(messages(named)).toEqual([
      expect.stringMatching(/does not read .*everything: it leads outside the repository through a symbolic link/)
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a symbolic link loop inside the repository ends', () => {
    symlinkSync('.', path.join(workspace, 'infra', 'loop'));
    writeFileSync(path.join(workspace, 'infra', 'main.json'), template());
    const result = load(['**/*.json']);
    expect(result.errors).toEqual([]);
    expect(result.templates.map(t => path.relative(workspace, t.file))).toEqual([path.join('infra', 'main.json')]);
  });

  it('a linked template named by an absolute path or ../ outside the repository is refused with its line', () => {
    for (const relativePath of ['/proc/self/environ', '../../secret.txt']) {
      writeFileSync(
        path.join(workspace, 'infra', 'main.json'),
        template([
          {
            type: 'Microsoft.Resources/deployments',
            apiVersion: '2022-09-01',
            name: 'linked',
            properties: { mode: 'Incremental', templateLink: { relativePath } }
          }
        ])
      );
      const result = load(['infra/main.json']);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].message).toMatch(/does not read the linked template .*: it is outside the repository/);
      expect(result.errors[0].location).toMatchObject({
        file: path.join(workspace, 'infra', 'main.json'),
        line: expect.any(Number)
      });
      expect(result.errors[0].location!.line).toBeGreaterThan(1);
      expect(result.errors[0].message).not.toMatch(/hunter2|PATH=|HOME=/);
    }
  });

  it('a parameter file beside the template that links outside is refused', () => {
    writeFileSync(path.join(workspace, 'infra', 'main.json'), template());
    symlinkSync(path.join(root, 'secret.txt'), path.join(workspace, 'infra', 'main.parameters.json'));
    const result = load(['infra/main.json']);
    expect(messages(result)).toEqual([
      expect.stringMatching(
        /does not read the parameter file .*main\.parameters\.json: it leads outside the repository through a symbolic link/
      )
    ]);
    expect(messages(result).join('\n')).not.toContain('hunter2');
  });

  it('a template named outside the repository root is refused unread, by path, folder or glob', () => {
    const elsewhere = path.join(root, 'elsewhere.json');
    writeFileSync(elsewhere, template());
    for (const pattern of [elsewhere, root, `${root}/*.json`, '../elsewhere.json']) {
      const result = load([pattern]);
      expect(result.templates).toEqual([]);
      expect(messages(result)).toEqual([expect.stringMatching(/does not read .*: it is outside the repository/)]);
    }
  });
});

describe('files that are too large, not text, or folders', () => {
  const load = (patterns: string[]) => loadTemplates(patterns, { cwd: workspace });

  it('a template over the limit is an error, found without reading it whole; other JSON over it is passed over', () => {
    const big = path.join(workspace, 'infra', 'big.json');
    writeFileSync(big, `{"$schema": "${SCHEMA}", "pad": "${'x'.repeat(DEFAULT_LIMITS.fileBytes)}"}`);
    const data = path.join(workspace, 'infra', 'data.json');
    writeFileSync(data, `{"pad": "${'x'.repeat(DEFAULT_LIMITS.fileBytes)}"}`);
    const result = load(['infra']);
    expect(result.errors.map(e => [e.location?.file, e.message])).toEqual([
      [
        big,
        `${big} is larger than 16 MB, the most cmk-guard reads (CMK_GUARD_MAX_FILE_BYTES; Azure Resource Manager takes templates up to 4 MB); split it or leave it out of the patterns.`
      ]
    ]);
    expect(result.skipped).toEqual([{ file: data, reason: 'larger than 16 MB, not read' }]);
  });

  it('a template that is not UTF-8 is an error with its line; other binary .json files are passed over', () => {
    writeFileSync(
      path.join(workspace, 'infra', 'latin1.json'),
      Buffer.concat([Buffer.from(`{"$schema": "${SCHEMA}",\n"x": "caf`), Buffer.from([0xe9]), Buffer.from('"}')])
    );
    writeFileSync(path.join(workspace, 'infra', 'blob.json'), Buffer.from([0x00, 0xff, 0xfe, 0x80]));
    const result = load(['infra']);
    expect(result.errors.map(e => e.describe())).toEqual([
      expect.stringMatching(
        /latin1\.json:2:\d+: .*latin1\.json is not UTF-8 text \(byte \d+ is not valid UTF-8\); save it as UTF-8\./
      )
    ]);
    expect(result.skipped).toEqual([{ file: path.join(workspace, 'infra', 'blob.json'), reason: 'not UTF-8 text' }]);
  });

  it('a UTF-16 template with a byte order mark is read', () => {
    const text = template([account('utf16')]);
    writeFileSync(
      path.join(workspace, 'infra', 'main.json'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    );
    const result = load(['infra']);
    expect(result.errors).toEqual([]);
    expect(result.templates[0].resources.map(r => r.name)).toEqual(['utf16']);
  });

  it('a folder named x.json is not taken for a file', () => {
    mkdirSync(path.join(workspace, 'infra', 'x.json'));
    writeFileSync(path.join(workspace, 'infra', 'x.json', 'inner.json'), template([account('inner')]));
    const result = load(['infra']);
    expect(result.errors).toEqual([]);
    expect(result.templates.map(t => t.resources[0].name)).toEqual(['inner']);
    // A glob that matches only the folder matches no file.
    expect(load(['infra/*.json']).errors.map(e => e.message)).toEqual([expect.stringMatching(/no files match/)]);
  });
});
