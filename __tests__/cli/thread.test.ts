/**
 * A large evaluation in a worker thread (src/commands/thread.ts): when the CLI hands a run over, and how the
 * worker's output, exit code and failures come back. The worker here is a stand-in that speaks the same messages
 * (__tests__/fixtures/cli/thread-worker.mjs); the real one (src/cliThread.ts) runs from the built CLI in
 * __tests__/cli/thread-built.test.ts.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../src/commands/index.js';
import type { CommandIO } from '../../src/commands/command.js';
import { runInThread, THREAD_SNAPSHOT_BYTES, THREAD_VARIABLE, threadWanted } from '../../src/commands/thread.js';
import { UserError } from '../../src/model/errors.js';

const fixture = pathToFileURL(path.resolve('__tests__/fixtures/cli/thread-worker.mjs'));

function recorder(extra: Partial<CommandIO> = {}) {
  const writes: [string, string][] = [];
  const io: CommandIO = {
    cwd: '/somewhere',
    env: { SAMPLE: 'kept' },
    stdout: text => void writes.push(['stdout', text]),
    stderr: text => void writes.push(['stderr', text]),
    ...extra
  };
  const text = (stream: string) =>
    writes
      .filter(([s]) => s === stream)
      .map(([, t]) => t)
      .join('');
  return { io, writes, text };
}

describe('whether to evaluate in a worker thread', () => {
  it('by the snapshots’ size unless CMK_GUARD_WORKER says otherwise', () => {
    expect(threadWanted({}, THREAD_SNAPSHOT_BYTES)).toBe(false);
    expect(threadWanted({}, THREAD_SNAPSHOT_BYTES + 1)).toBe(true);
    expect(threadWanted({ [THREAD_VARIABLE]: 'auto' }, THREAD_SNAPSHOT_BYTES + 1)).toBe(true);
    expect(threadWanted({ [THREAD_VARIABLE]: '' }, 0)).toBe(false);
    expect(threadWanted({ [THREAD_VARIABLE]: 'on' }, 0)).toBe(true);
    expect(threadWanted({ [THREAD_VARIABLE]: ' ON ' }, 0)).toBe(true);
    expect(threadWanted({ [THREAD_VARIABLE]: 'off' }, 10 * THREAD_SNAPSHOT_BYTES)).toBe(false);
  });

  it('refuses any other value, naming it', () => {
    expect(() => threadWanted({ [THREAD_VARIABLE]: 'yes' }, 0)).toThrow(UserError);
    expect(() => threadWanted({ [THREAD_VARIABLE]: 'yes' }, 0)).toThrow(
      "CMK_GUARD_WORKER must be auto, on or off; got 'yes'."
    );
  });
});

describe('runInThread', () => {
  it('passes the working folder, environment, terminals and options, and writes in the order sent', async () => {
    const { io, writes } = recorder({ stdoutIsTerminal: true });
    const code = await runInThread(fixture, 'echo', { resources: ['a.json'], live: true }, ['p'], io);
    expect(code).toBe(1);
    expect(writes).toEqual([
      ['stdout', 'cwd /somewhere\n'],
      ['stderr', 'env kept\n'],
      ['stdout', 'terminals true false\n'],
      ['stdout', `${JSON.stringify([{ resources: ['a.json'], live: true }, ['p']])}\n`]
    ]);
  });

  it('takes each chunk off the backlog as it writes it, so a worker waiting on it goes on', async () => {
    const { io, text } = recorder();
    const code = await runInThread(fixture, 'flood', { chunks: 64 } as never, [], io);
    expect(code).toBe(0);
    expect(text('stdout')).toHaveLength(64 * 65536);
    expect(text('stderr')).toBe('written 0\n');
  });

  it('an internal error the worker reports is printed once, exit code 3', async () => {
    const { io, text } = recorder();
    expect(await runInThread(fixture, 'internal', {}, [], io)).toBe(3);
    expect(text('stdout')).toBe('before\n');
    expect(text('stderr')).toBe(
      'cmk-guard: internal error (a bug, please report it): Error: something broke\n    at somewhere\n'
    );
  });

  it('a worker that runs out of memory says so and how to give it more, exit code 3', async () => {
    const { io, text } = recorder();
    expect(await runInThread(fixture, 'hog', {}, [], io, { maxOldGenerationSizeMb: 16 })).toBe(3);
    expect(text('stderr')).toMatch(
      /^cmk-guard: the evaluation ran out of memory \(.+\); give Node more with --max-old-space-size=MB in NODE_OPTIONS\.\n$/
    );
  });

  it('a worker that throws is an internal error with its stack, exit code 3', async () => {
    const { io, text } = recorder();
    expect(await runInThread(fixture, 'throw', {}, [], io)).toBe(3);
    expect(text('stderr')).toMatch(
      /^cmk-guard: internal error \(a bug, please report it\): Error: thrown in the worker\n/
    );
    expect(text('stderr').match(/internal error/g)).toHaveLength(1);
  });

  it('a worker that stops before it sends an exit code is an internal error, exit code 3', async () => {
    const { io, text } = recorder();
    expect(await runInThread(fixture, 'exit', {}, [], io)).toBe(3);
    expect(text('stdout')).toBe('leaving\n');
    expect(text('stderr')).toBe(
      "cmk-guard: internal error (a bug, please report it): the evaluation's worker thread stopped with code 0 before it finished\n"
    );
  });

  it('output the CLI cannot write stops the worker: an internal error naming why, exit code 3', async () => {
    const { io, text } = recorder();
    io.stdout = () => {
      throw new Error('EPIPE: broken pipe');
    };
    expect(await runInThread(fixture, 'flood', { chunks: 8 } as never, [], io)).toBe(3);
    expect(text('stderr')).toBe(
      'cmk-guard: internal error (a bug, please report it): cannot write the output: EPIPE: broken pipe\n'
    );
  });
});

describe('cmk-guard evaluate hands a large snapshot to a worker', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-thread-'));
    writeFileSync(path.join(dir, 'small.json'), '[]');
    // Sparse: only its size is read before the run is handed over, and the stand-in reads nothing.
    writeFileSync(path.join(dir, 'large.json'), '');
    truncateSync(path.join(dir, 'large.json'), THREAD_SNAPSHOT_BYTES + 1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const evaluate = async (file: string, env: NodeJS.ProcessEnv = {}, entry: URL | null = fixture) => {
    const { io, text } = recorder({ cwd: dir, env, ...(entry ? { threadEntry: entry } : {}) });
    // JSON: input errors go to standard error, and the findings document to standard output.
    const code = await runCli(['evaluate', '--resources', file, '--format', 'json'], io);
    return { code, out: text('stdout'), err: text('stderr') };
  };

  it('past the threshold, in the worker', async () => {
    expect(await evaluate('large.json')).toEqual({
      code: 0,
      out: 'evaluate in the worker: ["large.json"]\n',
      err: ''
    });
  });

  it('under it, here', async () => {
    const run = await evaluate('small.json');
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('evaluate in the worker');
  });

  it('CMK_GUARD_WORKER=on hands even a small one over, and off keeps a large one here', async () => {
    expect((await evaluate('small.json', { CMK_GUARD_WORKER: 'on' })).out).toBe(
      'evaluate in the worker: ["small.json"]\n'
    );
    // Read here, the sparse file's zero bytes are not a snapshot.
    const kept = await evaluate('large.json', { CMK_GUARD_WORKER: 'off' });
    expect(kept.code).toBe(2);
    expect(kept.out).not.toContain('evaluate in the worker');
    expect(kept.err).toContain('large.json');
  });

  it('without an entry to start a worker from (tests, the action), always here', async () => {
    const run = await evaluate('large.json', { CMK_GUARD_WORKER: 'on' }, null);
    expect(run.code).toBe(2);
    expect(run.err).toContain('large.json');
  });

  it('cmk-guard baseline hands a large snapshot over too, and keeps a small one here', async () => {
    const baseline = async (file: string) => {
      const { io, text } = recorder({ cwd: dir, env: {}, threadEntry: fixture });
      const code = await runCli(['baseline', '--resources', file, '--out', 'baseline.json'], io);
      return { code, out: text('stdout'), err: text('stderr') };
    };
    expect(await baseline('large.json')).toEqual({
      code: 0,
      out: 'baseline in the worker: ["large.json"]\n',
      err: ''
    });
    const here = await baseline('small.json');
    expect(here.code).toBe(0);
    expect(here.out).toMatch(/^Wrote 0 findings to baseline\.json/);
  });

  it('a snapshot outside the repository counts nothing, and the run refuses it here', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-thread-outside-'));
    try {
      writeFileSync(path.join(outside, 'big.json'), '');
      truncateSync(path.join(outside, 'big.json'), THREAD_SNAPSHOT_BYTES + 1);
      const run = await evaluate(path.join(outside, 'big.json'));
      expect(run.code).toBe(2);
      expect(run.out).not.toContain('evaluate in the worker');
      expect(run.err).toMatch(/outside/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
