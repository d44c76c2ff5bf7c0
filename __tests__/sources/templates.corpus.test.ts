import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplateFile } from '../../src/sources/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repoRoot, '../shared/corpus');
const templatesDir = path.join(corpus, 'templates');
const files = fs.readdirSync(templatesDir).filter(f => f.endsWith('.json')).sort();

describe('every corpus template expands', () => {
  test.each(files)('%s', file => {
    const expanded = expandTemplateFile(path.join(templatesDir, file));
    expect(expanded.resources.length).toBeGreaterThan(0);
  });
});
