import {
  codeSpan,
  escapeCommandData,
  escapeCommandProperty,
  escapeMarkdown,
  escapeTerminal,
  sanitizeMarkdown
} from '../../src/report/escape.js';

// Workflow command escaping as the runner decodes it:
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
describe('workflow command escaping', () => {
  it.each([
    ['100%', '100%25', '100%25'],
    ['a\nb', 'a%0Ab', 'a%0Ab'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['x::error::y', 'x::error::y', 'x%3A%3Aerror%3A%3Ay'],
    ['a,b:c', 'a,b:c', 'a%2Cb%3Ac'],
    ['%0A', '%250A', '%250A']
  ])('%j → data %j, property %j', (input, data, property) => {
    expect(escapeCommandData(input)).toBe(data);
    expect(escapeCommandProperty(input)).toBe(property);
  });
});

describe('Markdown escaping', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['@everyone', '@\u200beveryone'],
    ['mail me@example.com', 'mail me@\u200bexample.com'],
    ['a | b', 'a \\| b'],
    ['`tick`', '\\`tick\\`'],
    ['*bold* _it_ [link](x) ~s~', '\\*bold\\* \\_it\\_ \\[link\\](x) \\~s\\~'],
    ['line\nbreak', 'line break'],
    ['AT&T', 'AT&amp;T'],
    ['back\\slash', 'back\\\\slash']
  ])('escapeMarkdown(%j) = %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['name', false, '`name`'],
    ['a`b', false, '``a`b``'],
    ['`x', false, '`` `x ``'],
    ['a|b', true, '`a\\|b`'],
    ['a|b', false, '`a|b`'],
    ['two\nlines', false, '`two lines`'],
    ['', false, '*(empty)*'],
    ['<script>@everyone', false, '`<script>@everyone`']
  ])('codeSpan(%j, inTable=%j) = %j', (input, inTable, expected) => {
    expect(codeSpan(input, inTable)).toBe(expected);
  });

  it('keeps a rule author’s Markdown but shows raw HTML and breaks mentions outside code', () => {
    const input =
      'Use <b>CMK</b>, ask @sec.\n\n`<vault>` stays\n\n```json\n{"uri": "https://<vault>/", "by": "@me"}\n```\nafter <i>';
    expect(sanitizeMarkdown(input)).toBe(
      'Use &lt;b>CMK&lt;/b>, ask @\u200bsec.\n\n`<vault>` stays\n\n```json\n{"uri": "https://<vault>/", "by": "@me"}\n```\nafter &lt;i>'
    );
  });

  it('treats an unclosed backtick as text, so HTML after it is still escaped', () => {
    // Escaped, so that no reading of the paragraph can pair it with a backtick elsewhere.
    expect(sanitizeMarkdown('a ` <b>')).toBe('a \\` &lt;b>');
  });
});

describe('terminal escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['two\nlines', 'two\\nlines'],
    ['\u001b[31mred', '\\x1b[31mred'],
    ['tab\there\r', 'tab\\there\\r']
  ])('escapeTerminal(%j) = %j', (input, expected) => {
    expect(escapeTerminal(input)).toBe(expected);
  });
});
