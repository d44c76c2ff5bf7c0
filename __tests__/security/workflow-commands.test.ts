/**
 * Workflow-command injection: every string a pull request controls that reaches a log the
 * runner reads. The runner takes a line as a command when it starts with `::` after leading
 * spaces, reads `::name key=value,key=value::data`, and decodes %25, %0D, %0A (and %3A,
 * %2C in property values):
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { buildAnnotations, renderAnnotationCommand } from '../../src/report/annotations.js';
import { neutralizeCommandLines, revealInvisible } from '../../src/report/escape.js';
import { renderText } from '../../src/report/text.js';
import { HOSTILE_STRINGS, hostileDocument as sharedHostileDocument, hostileFinding } from '../support/hostile.js';

/** The shared hostile list, but for the empty and the very long string (each is an annotation's title and test name). */
export const HOSTILE = HOSTILE_STRINGS.filter(text => text !== '' && text.length < 1000);

const workspace = '/home/runner/work/r/r';

/** The lines the runner would see, split where it splits: CR, LF or CRLF. */
function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

function isCommand(line: string): boolean {
  return /^\s*::/.test(line);
}

/** Decodes a command as the runner does, for checking that what it reads is what was meant. */
function parseCommand(line: string): { name: string; properties: Record<string, string>; data: string } {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!match) throw new Error(`not a command: ${line}`);
  const unescape = (v: string) => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    // The runner splits a property at its first `=` only.
    const key = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    properties[key] = unescape(value.replace(/%3A/g, ':').replace(/%2C/g, ','));
  }
  return { name: match[1], properties, data: unescape(match[3]) };
}

describe('annotations carry hostile text as data, one command per annotation', () => {
  it.each(HOSTILE)('%j in every field', text => {
    const document = sharedHostileDocument(HOSTILE);
    document.findings = [hostileFinding(text, 0)];
    document.errors = [];
    const [annotation] = buildAnnotations(document, { workspace });
    const line = renderAnnotationCommand(annotation);
    expect(runnerLines(line)).toHaveLength(1);
    const parsed = parseCommand(line);
    expect(parsed.name).toBe('error');
    expect(Object.keys(parsed.properties).sort()).toEqual(['col', 'file', 'line', 'title']);
    // As a path: `//` reads as `/`.
    expect(parsed.properties.file).toBe(path.posix.normalize(`templates/${text}.json`));
    // Line separators and other invisible characters are shown, not kept (see revealInvisible).
    const shown = revealInvisible(text);
    expect(parsed.properties.title).toBe(shown);
    expect(parsed.data).toBe(annotation.message);
    expect(parsed.data).toContain(`${shown} '${shown}': ${shown}`);
  });

  it('input errors quoting attacker text are escaped the same way', () => {
    const document = sharedHostileDocument(HOSTILE);
    document.findings = [];
    for (const annotation of buildAnnotations(document, { workspace })) {
      const line = renderAnnotationCommand(annotation);
      expect(runnerLines(line)).toHaveLength(1);
      expect(parseCommand(line).data).toBe(annotation.message);
    }
  });
});

describe('the text report starts no line with a workflow command', () => {
  it('whatever the file names, resource names, types, messages, remediation, errors and skipped files are', () => {
    const text = renderText(sharedHostileDocument(HOSTILE));
    const commands = runnerLines(text).filter(isCommand);
    expect(commands).toEqual([]);
    // The text is still there to read.
    expect(text).toContain('\\x3a:stop-commands::token');
    expect(text).toContain('templates/a%0A::error::x.json.json');
  });

  it('neutralizeCommandLines changes only lines the runner would take for commands', () => {
    expect(neutralizeCommandLines('a::b\n  ::error::x\nok\n::y')).toBe('a::b\n  \\x3a:error::x\nok\n\\x3a:y');
    expect(neutralizeCommandLines(neutralizeCommandLines('::x'))).toBe('\\x3a:x');
    expect(neutralizeCommandLines('{\n  "name": "::error::x"\n}')).toBe('{\n  "name": "::error::x"\n}');
  });
});

describe('the CLI in a workflow step', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-injection-'));
    mkdirSync(path.join(dir, 'infra'));
    // A broken template whose file name and error message both carry a command.
    writeFileSync(
      path.join(dir, 'infra', '::error::evil.json'),
      '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n"resources": [\n::error::from the body\n]}'
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints errors about a hostile template without a line the runner would obey', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['evaluate', '--templates', 'infra', '--policies', path.resolve('policies')], {
      cwd: dir,
      env: {},
      stdout: t => void out.push(t),
      stderr: t => void err.push(t)
    });
    expect(code).toBe(2);
    const lines = runnerLines(out.join('') + err.join(''));
    expect(lines.some(line => line.includes('::error::evil.json'))).toBe(true);
    expect(lines.filter(isCommand)).toEqual([]);
  });
});
