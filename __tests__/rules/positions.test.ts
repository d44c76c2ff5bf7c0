/**
 * A rule file is parsed once: its value is what js-yaml's `load` gives for the same text, and a text
 * `load` refuses is refused with the same message and place (property test over YAML written from
 * random values, and over random YAML-like text).
 */
import fc from 'fast-check';
import { dump, load, parseEvents, YAMLException } from 'js-yaml';
import { UserError } from '../../src/model/errors.js';
import { parseDocument } from '../../src/rules/positions.js';

/** What parsing gave before: the events, then `load` (which parses the text again). */
function reference(text: string): unknown {
  try {
    parseEvents(text, { filename: 'f.yaml', maxDepth: 100 });
    return { value: load(text, { filename: 'f.yaml', maxDepth: 100 }) };
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const mark = error.mark;
    return { error: error.reason, line: mark ? mark.line + 1 : 1, column: mark ? mark.column + 1 : 1 };
  }
}

function parsed(text: string): unknown {
  try {
    return { value: parseDocument('f.yaml', text).value };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const reason = /^the file is not valid YAML: (.*); fix the syntax here\.$/.exec(error.message)?.[1];
    return { error: reason ?? error.message, line: error.location?.line, column: error.location?.column };
  }
}

const yamlish = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    ':',
    ' ',
    '\n',
    '-',
    '[',
    ']',
    '{',
    '}',
    ',',
    '"',
    "'",
    '#',
    '&',
    '*',
    '!',
    '|',
    '>',
    '?',
    '1'
  ),
  maxLength: 40
});

describe('parseDocument', () => {
  it('gives the value load gives for YAML written from values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (value, flow) => {
        const text = dump(value, { flowLevel: flow ? 1 : -1 });
        expect(parsed(text)).toEqual(reference(text));
      }),
      { numRuns: 200 }
    );
  });

  it('refuses what load refuses, with the same reason and place, and reads the rest alike', () => {
    let refused = 0;
    fc.assert(
      fc.property(yamlish, text => {
        const expected = reference(text) as { error?: string };
        if (expected.error !== undefined) refused++;
        expect(parsed(text)).toEqual(expected);
      }),
      { numRuns: 400 }
    );
    expect(refused).toBeGreaterThan(50);
  });
});
