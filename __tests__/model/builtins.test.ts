/**
 * node:crypto, node:child_process and node:zlib are loaded on first use: the same modules, once; and the built CLI
 * evaluating a template with the bundled pack loads none of them (a static import of one, anywhere on its path,
 * would load it at every start).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeChildProcess, nodeCrypto, nodeZlib } from '../../src/model/builtins.js';

describe('the built-ins loaded on first use', () => {
  it('are the modules themselves, loaded once', async () => {
    const crypto = await import('node:crypto');
    const childProcess = await import('node:child_process');
    expect(nodeCrypto()).toBe(nodeCrypto());
    expect(nodeCrypto().createHash).toBe(crypto.createHash);
    expect(nodeCrypto().createHash('sha256').update('a').digest('hex')).toBe(
      crypto.createHash('sha256').update('a').digest('hex')
    );
    expect(nodeChildProcess()).toBe(nodeChildProcess());
    expect(nodeChildProcess().spawnSync).toBe(childProcess.spawnSync);
    const zlib = await import('node:zlib');
    expect(nodeZlib()).toBe(nodeZlib());
    expect(
      nodeZlib()
        .brotliDecompressSync(zlib.brotliCompressSync(Buffer.from('alias')))
        .toString()
    ).toBe('alias');
  });

  const entry = path.resolve('dist/cli/index.js');
  (existsSync(entry) ? it : it.skip)('are not loaded by the built CLI evaluating a template', () => {
    // Written to a file, not a pipe: a pipe on standard error would load node:net for its own sake.
    const recorder = `data:text/javascript,${encodeURIComponent(
      "process.on('exit', () => { process.stdout.write('\\nLOADED ' + process.moduleLoadList.filter(m => m.startsWith('NativeModule ')).map(m => m.slice(13)).join(' ') + '\\n'); });"
    )}`;
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        recorder,
        entry,
        'evaluate',
        '--templates',
        'examples/foundry-tools-cmk/noncompliant.json',
        '--format',
        'json'
      ],
      { encoding: 'utf8', timeout: 120_000 }
    );
    expect([0, 1]).toContain(result.status);
    const loaded = (/^LOADED (.*)$/m.exec(result.stdout)?.[1] ?? '').split(' ');
    expect(loaded).toContain('fs');
    expect(loaded.filter(name => ['crypto', 'child_process', 'dgram', 'zlib'].includes(name))).toEqual([]);
  });
});
