import { renderJson } from '../../src/report/json.js';
import { hostileDocument } from './fixture.js';

describe('renderJson', () => {
  it('is the findings document itself, two-space indented with one trailing newline', () => {
    const document = hostileDocument();
    const text = renderJson(document);
    expect(JSON.parse(text)).toEqual(document);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "tool": {');
  });

  it('keeps hostile strings as data, escaped by JSON', () => {
    expect(renderJson(hostileDocument())).toContain('"name": "vault`s|name\\nnext"');
  });
});
