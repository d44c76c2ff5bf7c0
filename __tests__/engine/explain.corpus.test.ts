/**
 * Every built-in explains its non-compliant verdicts: on the PSRule corpus's exported live
 * resources, and on a bare resource of each type a built-in names, reading the message and the
 * pointers never throws, the message starts with the display name, and every pointer names a value
 * that exists in the resource (a missing property is pointed at through its nearest parent).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefinitionsFromDirectory, type CompiledDefinition } from '../../src/engine/index.js';
import type { Resource } from '../../src/model/resource.js';
import { isObject, type Value } from '../../src/model/value.js';
import { armResource, fromPowerShellExport } from '../support/arm-resource.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');

/** The value a JSON pointer names, or undefined when there is none. */
function resolve(json: Value, pointer: string): Value | undefined {
  let cur: Value | undefined = json;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(token)];
    else if (isObject(cur)) cur = cur[token];
    else return undefined;
  }
  return cur;
}

/** A value for each parameter without a default, so that rules decide rather than wait on it. */
function someParameters(def: CompiledDefinition): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, p] of Object.entries(def.parameters)) {
    if (p.defaultValue !== undefined) continue;
    const type = p.type.toLowerCase();
    // `{}` may not satisfy an Object parameter's schema, which assignment values must: leave it unknown.
    if (type === 'object' && p.schema) continue;
    const allowed = p.allowedValues?.[0];
    if (allowed !== undefined) {
      // An Array parameter's value is an array of allowed items.
      out[name] = type === 'array' && !Array.isArray(allowed) ? [allowed] : allowed;
      continue;
    }
    out[name] =
      type === 'array'
        ? ['x']
        : type === 'object'
          ? {}
          : type === 'boolean'
            ? true
            : type === 'integer' || type === 'float'
              ? 1
              : type === 'datetime'
                ? '2030-01-01T00:00:00Z'
                : 'x';
  }
  return out;
}

describe('explanations of every built-in', () => {
  it('read without a crash, start with the display name, and point at values that exist', () => {
    const { loaded } = loadDefinitionsFromDirectory(path.join(corpus, 'builtin'));
    expect(loaded.length).toBe(5009);
    const dir = path.join(corpus, 'evaltests/psrule');
    const live = fs
      .readdirSync(dir)
      .filter(f => /^Resources\..*\.json$/.test(f))
      .flatMap(f =>
        (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, '')) as { [key: string]: Value }[])
          .flatMap(item => fromPowerShellExport(item))
          .map(json => armResource(json, f))
      );
    const bare = (def: CompiledDefinition): Resource[] => {
      const text = JSON.stringify(def.file ? JSON.parse(fs.readFileSync(def.file, 'utf8').replace(/^\uFEFF/, '')) : {});
      const types = new Set([...text.matchAll(/"equals":"(Microsoft\.[A-Za-z]+\/[A-Za-z/]+)"/g)].map(m => m[1]));
      return [...types].map(type => armResource({ name: 'bare', type, location: 'westeurope', properties: {} }));
    };
    let explained = 0;
    const problems: string[] = [];
    for (const def of loaded) {
      const parameters = someParameters(def);
      for (const resource of [...live, ...bare(def)]) {
        const e = def.evaluate(resource, { parameters, related: live });
        if (e.verdict !== 'noncompliant') continue;
        explained++;
        if (!e.message.startsWith(def.displayName)) problems.push(`${def.name}: ${e.message}`);
        for (const pointer of e.pointers) {
          if (resolve(resource.json, pointer) === undefined)
            problems.push(`${def.name} on ${resource.name}: ${pointer}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(explained).toBeGreaterThan(1000);
  });
});
