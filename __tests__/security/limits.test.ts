/**
 * Bounded work: each limit refuses what exceeds it with an error at the file (and line, where
 * there is one), the next input is still read, and raising the limit's environment variable lets
 * the same input through. Hostile shapes that double their size (strings, arrays, values that
 * share parts) stop at the work budget instead of exhausting memory or time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Deadline, DEFAULT_LIMITS, LIMIT_VARIABLES, limit, WorkBudget, type Limits } from '../../src/model/limits.js';
import { parseDocument } from '../../src/rules/positions.js';
import { loadTemplates } from '../../src/sources/index.js';
import { armTemplate, nestedDeployment, SCHEMA, type J } from '../support/arm-templates.js';

let dir: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-limits-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const variable of Object.values(LIMIT_VARIABLES)) {
    if (saved[variable] === undefined) delete process.env[variable];
    else process.env[variable] = saved[variable];
  }
});

function withLimit(name: keyof Limits, value: number): void {
  process.env[LIMIT_VARIABLES[name]] = String(value);
}

function template(body: object): string {
  return JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', ...body }, null, 2);
}

/** Loads `main.json` (and a good `ok.json` beside it) and gives the errors and the loaded templates' files. */
function load(text: string) {
  writeFileSync(path.join(dir, 'main.json'), text);
  writeFileSync(
    path.join(dir, 'ok.json'),
    template({ resources: [{ type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'ok' }] })
  );
  const result = loadTemplates(['main.json', 'ok.json'], { cwd: dir });
  return {
    errors: result.errors.map(e => ({
      file: path.basename(e.location?.file ?? ''),
      line: e.location?.line,
      message: e.message
    })),
    loaded: result.templates.map(t => path.basename(t.file)),
    skipped: result.skipped.map(s => s.reason)
  };
}

const vault = (name: string, extra: object = {}) => ({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name,
  ...extra
});

describe('each limit has a documented default and an environment variable', () => {
  it('the defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({
      fileBytes: 16 * 1024 * 1024,
      jsonDepth: 512,
      yamlValues: 100_000,
      expressionDepth: 200,
      stringLength: 4 * 1024 * 1024,
      nestedDeployments: 32,
      expandedResources: 20_000,
      workUnits: 5_000_000,
      secondsPerFile: 60,
      evaluationSecondsPerFile: 60,
      runSeconds: 3600,
      walkedEntries: 1_000_000
    });
    for (const name of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
      expect(limit(name, {})).toBe(DEFAULT_LIMITS[name]);
      expect(limit(name, { [LIMIT_VARIABLES[name]]: '7' })).toBe(7);
    }
  });

  it('a variable that is not a whole number is a mistake said as such', () => {
    expect(() => limit('jsonDepth', { CMK_GUARD_MAX_DEPTH: 'lots' })).toThrow(
      "CMK_GUARD_MAX_DEPTH is 'lots'; set it to a whole number (the default is 512)."
    );
  });
});

describe('files and parsers', () => {
  it('a template over the size limit is an error naming the variable, unread; raising the limit reads it', () => {
    withLimit('fileBytes', 400);
    const text = template({ resources: [vault('big', { properties: { pad: 'x'.repeat(1000) } })] });
    const over = load(text);
    expect(over.loaded).toEqual(['ok.json']);
    expect(over.errors).toEqual([
      expect.objectContaining({
        file: 'main.json',
        message: expect.stringMatching(/is larger than 400 bytes, the most cmk-guard reads \(CMK_GUARD_MAX_FILE_BYTES;/)
      })
    ]);
    withLimit('fileBytes', 100_000);
    expect(load(text).loaded).toEqual(['main.json', 'ok.json']);
  });

  it('JSON nested past the depth limit is refused at the line it goes too deep; raising the limit reads it', () => {
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
    const text = `{"$schema": "${SCHEMA}",\n"resources": [],\n"variables": {"v": ${deep}}}`;
    expect(load(text).errors).toEqual([
      { file: 'main.json', line: 3, message: 'The JSON nests more than 512 levels deep (CMK_GUARD_MAX_DEPTH).' }
    ]);
    withLimit('jsonDepth', 1000);
    expect(load(text).errors).toEqual([]);
  });

  it('YAML aliases that multiply ("billion laughs") and YAML nested past the depth limit are refused', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      laughs.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(() => parseDocument('rule.yaml', laughs.join('\n'))).toThrow(
      /expands to more than 100000 values once its YAML aliases .* are followed \(CMK_GUARD_MAX_YAML_VALUES\)/
    );
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
    expect(() => parseDocument('rule.yaml', `x: ${deep}`)).toThrow(/nesting exceeded maxDepth \(512\)/);
  });

  it('an expression nested past the depth limit is refused at its line', () => {
    const nested = `[${'concat('.repeat(250)}'a'${')'.repeat(250)}]`;
    const result = load(template({ resources: [vault(nested)] }));
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: 'main.json',
        message: expect.stringMatching(
          /^The expression nests more than 200 levels deep \(CMK_GUARD_MAX_EXPRESSION_DEPTH\)/
        )
      })
    ]);
    expect(result.loaded).toEqual(['ok.json']);
  });
});

describe("Azure Resource Manager's own limits, refused as ARM refuses them", () => {
  it('a copy count above 800', () => {
    const result = load(
      template({ resources: [vault("[concat('kv', copyIndex())]", { copy: { name: 'c', count: 801 } })] })
    );
    expect(result.errors.map(e => e.message)).toEqual([
      expect.stringMatching(/copy count .* must be an integer from 0 to 800/i)
    ]);
  });

  it('more than 512 variables, a variables copy element counting as the variable it makes, at the variables line', () => {
    const variables = (n: number, copies = 0) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[`v${i}`] = i;
      if (copies) out.copy = Array.from({ length: copies }, (_, i) => ({ name: `c${i}`, count: 1, input: 'x' }));
      return out;
    };
    // 512 is the limit "Template limits" gives (older copies of the page said 256); Bicep's max-variables uses it.
    expect(load(template({ variables: variables(512), resources: [] })).errors).toEqual([]);
    expect(load(template({ variables: variables(510, 2), resources: [] })).errors).toEqual([]);
    const over = template({ variables: variables(511, 2), resources: [] });
    expect(load(over).errors).toEqual([
      {
        file: 'main.json',
        line: over.split('\n').findIndex(l => l.includes('"variables"')) + 1,
        message:
          'The template declares 513 variables; ARM allows at most 512 in one template. Combine values into objects or move some into a nested template.'
      }
    ]);
  });

  it('more than 800 resources in one template once copies are counted', () => {
    const loop = (name: string) => vault(`[concat('${name}', copyIndex())]`, { copy: { name, count: 401 } });
    const result = load(template({ resources: [loop('a'), loop('b')] }));
    expect(result.errors.map(e => e.message)).toEqual([
      'The template deploys 802 resources (copy loops counted); ARM allows at most 800 in one template. Move some into a nested template.'
    ]);
  });
});

describe("cmk-guard's own limits on expansion", () => {
  /** A deployment that nests `depth` inline deployments, each with one vault. */
  function nested(depth: number): object {
    let resources: J[] = [vault('leaf')];
    for (let i = 0; i < depth; i++) resources = [nestedDeployment(`d${i}`, resources, { scope: 'inner' })];
    return armTemplate(resources);
  }

  it('nested deployments deeper than the limit; raising it expands them', () => {
    const text = JSON.stringify(nested(40));
    expect(load(text).errors.map(e => e.message)).toEqual([
      'Nested deployments go more than 32 levels deep (CMK_GUARD_MAX_NESTED_DEPLOYMENTS).'
    ]);
    withLimit('nestedDeployments', 64);
    expect(load(text).errors).toEqual([]);
  });

  it('more resource instances than the limit across nested deployments and copies', () => {
    const deployment = nestedDeployment(
      "[concat('d', copyIndex())]",
      [vault("[concat('kv', copyIndex())]", { copy: { name: 'kv', count: 800 } })],
      { members: { copy: { name: 'd', count: 30 } }, scope: 'inner' }
    );
    expect(load(template({ resources: [deployment] })).errors.map(e => e.message)).toEqual([
      expect.stringMatching(/^The template expands to more than 20000 resources .*CMK_GUARD_MAX_RESOURCES/)
    ]);
  });
});

describe('the work budget: values that double stop at the budget, at the expression', () => {
  const doubling = (step: (prev: string) => string, levels = 40) => {
    const variables: Record<string, string> = { v0: "[createArray('x')]" };
    for (let i = 1; i <= levels; i++) variables[`v${i}`] = `[${step(`variables('v${i - 1}')`)}]`;
    return template({ variables, resources: [vault('kv', { properties: { value: `[variables('v${levels}')]` } })] });
  };
  const stopped = (message: RegExp) => [
    { file: 'main.json', line: expect.any(Number), message: expect.stringMatching(message) }
  ];

  it('at the default budget, values that hold the last one twice stop long before they are written out', () => {
    const result = load(doubling(v => `createArray(${v}, ${v})`, 60));
    expect(result.errors).toEqual(
      stopped(/a value of more than 5000000 members once written out \(CMK_GUARD_MAX_WORK\)/)
    );
    expect(result.errors[0].line).toBeGreaterThan(1);
    expect(result.loaded).toEqual(['ok.json']);
  });

  it('strings that double stop at the string limit', () => {
    withLimit('stringLength', 10_000);
    const result = load(doubling(v => `concat(string(${v}), string(${v}))`));
    expect(result.errors).toEqual(
      stopped(/a string of \d+ characters; the most cmk-guard holds is 10000 \(CMK_GUARD_MAX_STRING_LENGTH\)/)
    );
  });

  it('replace() that multiplies a text stops before it builds it, at the string limit', () => {
    // One million `a`s, each replaced by the same million: 10^12 characters, past what JavaScript can hold.
    const result = load(
      template({
        variables: { a: "[padLeft('', 1000000, 'a')]" },
        resources: [vault('kv', { properties: { value: "[replace(variables('a'), 'a', variables('a'))]" } })]
      })
    );
    expect(result.errors).toEqual(
      stopped(
        /'replace' would build 1000000000000 characters; the most cmk-guard holds is \d+ \(CMK_GUARD_MAX_STRING_LENGTH\)/
      )
    );
  });

  // Other shapes at a budget of 100,000 (the variable lowers it) to keep the suite fast.
  it('arrays that double', () => {
    withLimit('workUnits', 100_000);
    expect(load(doubling(v => `concat(${v}, ${v})`)).errors).toEqual(
      stopped(/builds more than 100000 values \(CMK_GUARD_MAX_WORK\)/)
    );
  });

  it('lambdas that multiply (map over a range of ranges)', () => {
    withLimit('workUnits', 100_000);
    const expression = "[map(range(0, 10000), lambda('i', range(0, 10000)))]";
    expect(load(template({ resources: [vault('kv', { properties: { v: expression } })] })).errors).toEqual(
      stopped(/builds more than 100000 values \(CMK_GUARD_MAX_WORK\)/)
    );
  });

  it('an expression every copy evaluates alike spends its share at every copy, though it is worked out once', () => {
    withLimit('workUnits', 100_000);
    // About 400 units a copy (a 3,200-character string and the two 1,600-character ones it is made of).
    const loop = (count: number) =>
      template({
        parameters: { s: { type: 'string', defaultValue: 'x'.repeat(1600) } },
        resources: [
          vault("[concat('kv', copyIndex())]", {
            copy: { name: 'vaults', count },
            properties: { tenantId: "[concat(parameters('s'), parameters('s'))]" }
          })
        ]
      });
    expect(load(loop(100)).errors).toEqual([]);
    const result = load(loop(800));
    expect(result.errors).toEqual(stopped(/builds more than 100000 values \(CMK_GUARD_MAX_WORK\)/));
    // At the expression, in the declaration every copy shares.
    expect(result.errors[0].line).toBe(
      loop(800)
        .split('\n')
        .findIndex(line => line.includes('"tenantId"')) + 1
    );
  });

  it('property copy loops nested in each other', () => {
    withLimit('workUnits', 100_000);
    const inner = { copy: [{ name: 'b', count: 800, input: { copy: [{ name: 'c', count: 800, input: 'x' }] } }] };
    const result = load(
      template({ resources: [vault('kv', { properties: { copy: [{ name: 'a', count: 800, input: inner }] } })] })
    );
    expect(result.errors).toEqual(stopped(/builds more than 100000 values \(CMK_GUARD_MAX_WORK\)/));
  });

  it('the clock: a file that takes longer than its seconds is stopped at the next step', () => {
    let now = 0;
    const budget = new WorkBudget('main.json', () => now);
    budget.spend(1);
    now = 59_999;
    budget.checkClock();
    now = 60_000;
    expect(() => budget.checkClock()).toThrow(
      'expanding this template took more than 60 seconds (CMK_GUARD_MAX_SECONDS_PER_FILE); simplify it or raise the limit.'
    );
  });

  it('the clock is read during expansion: with no seconds at all, each template stops with its own error', () => {
    withLimit('secondsPerFile', 0);
    const result = load(template({ resources: [vault('kv')] }));
    expect(result.errors.map(e => [e.file, e.message])).toEqual([
      ['main.json', expect.stringMatching(/took more than 0 seconds/)],
      ['ok.json', expect.stringMatching(/took more than 0 seconds/)]
    ]);
  });

  it('a real template is far inside the budget (the corpus suite expands every real template at 1% of it)', () => {
    withLimit('workUnits', 1000);
    const result = load(
      template({
        resources: [
          vault("[concat('kv', copyIndex())]", { copy: { name: 'c', count: 10 }, properties: { a: [1, 2, 3] } })
        ]
      })
    );
    expect(result.errors).toEqual([]);
  });
});

describe('Deadline, the clock bound every time limit keeps', () => {
  it('has passed once its seconds have gone by on its clock, and not before', () => {
    let now = 1_000;
    const deadline = new Deadline(3, () => now);
    expect(deadline.seconds).toBe(3);
    now += 2_999;
    expect(deadline.passed).toBe(false);
    now += 1;
    expect(deadline.passed).toBe(true);
  });
});
