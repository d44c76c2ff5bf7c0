/**
 * ajv, js-yaml, RE2 and the generated validators are loaded when a run first needs them (src/rules/tooling.ts):
 * the built CLI evaluating a template with the bundled pack loads none of them, and every run that does need
 * them (its own rule folder, a configuration file, `compile`, definitions whose parameters have schemas, inline
 * exceptions) loads them and gives its verdicts.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { deferred } from '../../src/model/deferred.js';
import { linearRegExp } from '../../src/model/regex.js';

describe('a module loaded when first needed', () => {
  it('is an internal error before it is loaded, and the one module once it is', async () => {
    let imports = 0;
    const module = { name: 'the module' };
    const later = deferred('the thing', async () => {
      imports += 1;
      return module;
    });
    expect(later.loaded).toBe(false);
    expect(() => later.get()).toThrow('the thing was used before it was loaded');
    const [a, b] = await Promise.all([later.load(), later.load()]);
    expect(a).toBe(module);
    expect(b).toBe(module);
    expect(later.get()).toBe(module);
    expect(later.loaded).toBe(true);
    expect(imports).toBe(1);
  });
});

describe('a pattern of plain characters', () => {
  const re2 = (source: string, text: string) => RE2JS.compile(RE2JS.translateRegExp(source), 0).test(text);

  it('matches what RE2 matches (compared as strings, without RE2)', () => {
    const plain = fc.string({ unit: fc.constantFrom('a', 'b', '-', '/', ':', '1', ' '), maxLength: 4 });
    fc.assert(
      fc.property(fc.boolean(), plain, fc.boolean(), fc.array(plain, { maxLength: 3 }), (start, text, end, parts) => {
        const source = `${start ? '^' : ''}${text}${end ? '$' : ''}`;
        const pattern = linearRegExp(source, 'u');
        expect(pattern.toString()).toBe(`/${source}/u`);
        for (const value of [text, ...parts, parts.join(text), `${text}${parts.join('')}`, `${parts.join('')}${text}`])
          expect(pattern.test(value)).toBe(re2(source, value));
      }),
      { numRuns: 300 }
    );
  });

  it('still runs on RE2 when it has anything else, or ignores case', () => {
    expect(linearRegExp('^a+$', 'u').test('aaa')).toBe(true);
    expect(linearRegExp('^a+$', 'u').test('ab')).toBe(false);
    expect(linearRegExp('^ab$', 'iu').test('AB')).toBe(true);
    expect(() => linearRegExp('(?=a)', 'u')).toThrow();
  });
});

describe('the built CLI', () => {
  const entry = path.resolve('dist/cli/index.js');
  const built = existsSync(entry);
  // Text each library holds and no other code does (looked for in the bundle's files).
  const markers: Record<string, string> = {
    ajv: 'no schema with key or ref',
    'js-yaml': 'end of the stream or a document separator is expected',
    re2js: 'missing closing )',
    'the generated validators': 'const relationSpecs = once('
  };
  // Records every module file the process loads (the bundle's chunks are ES modules it imports).
  const recorder = `data:text/javascript,${encodeURIComponent(
    "import { registerHooks } from 'node:module'; const seen = []; registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } }); process.on('exit', () => { process.stdout.write('\\nLOADED ' + JSON.stringify(seen) + '\\n'); });"
  )}`;

  function cli(args: string[], cwd = process.cwd()) {
    const result = spawnSync(process.execPath, ['--import', recorder, entry, ...args], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000
    });
    const loaded = JSON.parse(/^LOADED (.*)$/m.exec(result.stdout)?.[1] ?? '[]') as string[];
    const files = loaded.filter(url => url.startsWith('file:')).map(url => new URL(url).pathname);
    const holds = (name: string) => files.some(file => readFileSync(file, 'utf8').includes(markers[name]!));
    return { ...result, stdout: result.stdout.replace(/\nLOADED .*\n$/, ''), files, holds };
  }

  function inTempDir(check: (dir: string) => void): void {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-tooling-'));
    try {
      copyFileSync('examples/foundry-tools-cmk/noncompliant.json', path.join(dir, 'main.json'));
      check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const needing = Object.keys(markers);

  (built ? it : it.skip)(
    'holds each library in a file of its own, which evaluate with the bundled pack does not load',
    () => {
      const run = cli(['evaluate', '--templates', 'examples/foundry-tools-cmk/noncompliant.json', '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      expect((JSON.parse(run.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
      expect(run.files).toContain(entry);
      expect(needing.filter(name => run.holds(name))).toEqual([]);
      // The markers do find the libraries: `compile` loads every one of them.
      inTempDir(dir => {
        const compile = cli(['compile', '--policies', path.resolve('policies'), '--out', path.join(dir, 'out')], dir);
        expect(compile.stderr).toBe('');
        expect(compile.status).toBe(0);
        expect(needing.filter(name => compile.holds(name))).toEqual(needing);
      });
    }
  );

  (built ? it : it.skip)('loads them for a rule folder of its own, and gives its verdicts', () => {
    inTempDir(dir => {
      cpSync('__tests__/fixtures/rules/valid', path.join(dir, 'rules'), { recursive: true });
      const run = cli(['evaluate', '--policies', 'rules', '--templates', 'main.json', '--format', 'json'], dir);
      expect(run.stderr).toBe('');
      const document = JSON.parse(run.stdout) as { findings: { rule: string }[]; errors?: unknown[] };
      expect(document.errors ?? []).toEqual([]);
      expect(document.findings.length).toBeGreaterThan(0);
      expect(run.holds('js-yaml')).toBe(true);
    });
  });

  (built ? it : it.skip)('loads them for a configuration file, and applies it', () => {
    inTempDir(dir => {
      writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: [main.json]\nfail-on: never\n');
      const run = cli(['evaluate', '--format', 'json'], dir);
      expect(run.stderr).toBe('');
      // Findings, but `fail-on: never`: the file was read.
      expect(run.status).toBe(0);
      expect((JSON.parse(run.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
      expect(run.holds('ajv')).toBe(true);
    });
  });

  (built ? it : it.skip)('loads them for inline exceptions in a template, and applies them', () => {
    inTempDir(dir => {
      type Finding = { definition: string; verdict: string; resource: { name: string }; suppressed?: unknown };
      const template = JSON.parse(readFileSync(path.join(dir, 'main.json'), 'utf8')) as {
        resources: { name: string; metadata?: unknown }[];
      };
      const before = cli(['evaluate', '--templates', 'main.json', '--format', 'json'], dir);
      const findings = (JSON.parse(before.stdout) as { findings: Finding[] }).findings;
      const named = template.resources[0]!.name;
      const first = findings.find(f => f.resource.name === named && f.verdict === 'noncompliant')!;
      expect(first.suppressed).toBeUndefined();
      template.resources[0]!.metadata = {
        cmkGuard: { exceptions: [{ rule: first.definition, reason: 'a test of inline exceptions' }] }
      };
      // And an entry with a mistake (no reason), which ajv finds.
      template.resources[1]!.metadata = { cmkGuard: { exceptions: [{ rule: first.definition }] } };
      writeFileSync(path.join(dir, 'main.json'), JSON.stringify(template, null, 2));
      const run = cli(['evaluate', '--templates', 'main.json', '--format', 'json'], dir);
      expect(run.stderr).not.toMatch(/internal error/);
      const document = JSON.parse(run.stdout) as { findings: Finding[]; errors?: { message: string }[] };
      expect(document.errors?.map(e => e.message).join('\n')).toMatch(/reason/);
      const excepted = document.findings.find(f => f.definition === first.definition && f.resource.name === named)!;
      expect(JSON.stringify(excepted.suppressed)).toMatch(/a test of inline exceptions/);
      expect(run.holds('ajv')).toBe(true);
    });
  });

  (built ? it : it.skip)(
    'loads them on a pull request whose rule folder holds bundled texts only, for a rule file read at the base',
    () => {
      inTempDir(dir => {
        // The repository's copy of the pack; its base holds a text of its own that the pull request puts back.
        cpSync('policies', path.join(dir, 'rules'), {
          recursive: true,
          filter: source => !source.includes(`${path.sep}compiled`) && !source.endsWith('.md')
        });
        const file = path.join(dir, 'rules', 'foundry-tools-cmk.yaml');
        const bundled = readFileSync(file, 'utf8');
        writeFileSync(file, `# the team's copy\n${bundled}`);
        const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).stdout.trim();
        git('init', '-q', '-b', 'main');
        git('config', 'user.email', 'test@example.com');
        git('config', 'user.name', 'test');
        git('add', '-A');
        git('commit', '-q', '-m', 'base');
        const base = git('rev-parse', 'HEAD');
        writeFileSync(file, bundled);
        git('commit', '-q', '-am', 'the bundled text');
        const run = cli(
          ['evaluate', '--policies', 'rules', '--templates', 'main.json', '--base', base, '--format', 'json'],
          dir
        );
        expect(run.stderr).not.toMatch(/internal error|used before it was loaded/);
        const document = JSON.parse(run.stdout) as {
          findings: { definition: string; verdict: string }[];
          errors?: unknown[];
          skipped: unknown[];
        };
        expect(document.errors ?? []).toEqual([]);
        expect(run.status).toBe(1);
        expect(document.findings.some(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')).toBe(
          true
        );
        expect(document.skipped).toContainEqual({
          file: 'rules/foundry-tools-cmk.yaml',
          reason: 'this change alters the rule file: it is read as it is at the base until the change is merged.',
          atBase: true
        });
      });
    }
  );

  (built ? it : it.skip)('loads them for definitions whose parameters have schemas with patterns', () => {
    inTempDir(dir => {
      const definition = (value: string) => ({
        properties: {
          displayName: 'Accounts with a label',
          mode: 'Indexed',
          parameters: {
            label: {
              type: 'Object',
              schema: { type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]+-[0-9]+$' } } },
              defaultValue: { code: value }
            }
          },
          policyRule: {
            if: { field: 'type', equals: 'Microsoft.CognitiveServices/accounts' },
            then: { effect: 'audit' }
          }
        }
      });
      writeFileSync(path.join(dir, 'good.json'), JSON.stringify(definition('abc-1')));
      writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(definition('ABC')));
      const args = ['evaluate', '--policies', 'none', '--templates', 'main.json', '--format', 'json'];
      const good = cli([...args, '--definitions', 'good.json'], dir);
      expect(good.stderr).toBe('');
      expect((JSON.parse(good.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
      expect(good.holds('re2js')).toBe(true);
      const bad = cli([...args, '--definitions', 'bad.json'], dir);
      expect(`${bad.stdout}${bad.stderr}`).toMatch(/does not match its schema: \/code must match pattern/);
    });
  });
});
