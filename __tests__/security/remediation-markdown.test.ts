/**
 * A rule's remediation is Markdown that a pull request can add (a rule file in the folder it is
 * checked with). sanitizeMarkdown may leave text raw only where GitHub shows it as code
 * (CommonMark 0.31 §4.5 fenced code blocks, §6.1 code spans, §2.4 backslash escapes), so
 * everything here is read back as CommonMark would read the output, by the small reader below.
 */
import fc from 'fast-check';
import { sanitizeMarkdown } from '../../src/report/escape.js';

/**
 * A deliberately small CommonMark reader for the sanitizer's output: the text it would render
 * outside code, with each backslash escape kept as `\X`. It knows fenced code blocks (up to three
 * columns of indentation, a backtick fence's info without backticks, closing fences of the same
 * character at least as long, an unclosed fence running to the end), indented code blocks after
 * a blank line, and code spans (a backtick run closed by the next run of the same length,
 * backslash escapes applying outside spans only). It does not parse lists: it reads the text
 * once at the top level and once for each margin a list item's content could have, as if every
 * line indented that far were in such an item, and a line is code only if it is code in every
 * reading. Where the extent of a paragraph is in doubt, text is code only if it is code both
 * when each line is read alone and when the lines between blank lines are read together.
 */
function renderedText(markdown: string): string {
  const lines = markdown.split('\n');
  const readings = [0, 2, 3, 4, 5, 6].map(margin => codeLines(lines, margin));
  const code = lines.map((_, i) => readings.every(reading => reading[i]));
  const text: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) text.push(outsideSpans(paragraph));
    paragraph = [];
  };
  lines.forEach((line, i) => {
    if (code[i] || /^[ \t]*$/.test(line)) flush();
    else paragraph.push(line);
  });
  flush();
  return text.join('\n');
}

function columns(line: string): number {
  let column = 0;
  for (const c of line) {
    if (c === ' ') column++;
    else if (c === '\t') column += 4 - (column % 4);
    else break;
  }
  return column;
}

/** Which lines are code, reading every line indented `margin` columns or more as inside a list item with that margin. */
function codeLines(lines: string[], margin: number): boolean[] {
  const code: boolean[] = [];
  let fence: { margin: number; char: string; length: number } | null = null;
  let indented: number | null = null;
  let afterBlank = true;
  for (const line of lines) {
    const blank = /^[ \t]*$/.test(line);
    const indent = columns(line);
    const body = line.replace(/^[ \t]*/, '');
    if (fence && !blank && indent < fence.margin) fence = null;
    if (fence) {
      const close = /^(`{3,}|~{3,})[ \t]*$/.exec(body);
      if (close && indent - fence.margin <= 3 && close[1][0] === fence.char && close[1].length >= fence.length)
        fence = null;
      code.push(true);
      continue;
    }
    if (indented !== null && (blank || indent >= indented + 4)) {
      code.push(true);
      continue;
    }
    indented = null;
    const own = indent >= margin ? margin : 0;
    const open = /^(`{3,}|~{3,})(.*)$/.exec(body);
    if (open && indent - own <= 3 && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { margin: own, char: open[1][0], length: open[1].length };
      code.push(true);
    } else if (!blank && afterBlank && indent - own >= 4) {
      indented = own;
      code.push(true);
    } else code.push(false);
    afterBlank = blank;
  }
  return code;
}

/** The text outside code spans, as the intersection of the line-by-line and paragraph readings. */
function outsideSpans(paragraph: string[]): string {
  const together = spanMask(paragraph.join('\n'));
  let offset = 0;
  const alone: boolean[] = [];
  for (const line of paragraph) {
    alone.push(...spanMask(line), false);
    offset += line.length + 1;
  }
  const joined = paragraph.join('\n');
  let out = '';
  for (let i = 0; i < joined.length; i++) out += together[i] && alone[i] ? ' ' : joined[i];
  return offset > 0 ? out : '';
}

/** For each character, whether it is inside a code span (delimiters included). */
function spanMask(text: string): boolean[] {
  const mask = new Array<boolean>(text.length).fill(false);
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\' && /[!-/:-@[-`{-~]/.test(text[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    if (text[i] !== '`') {
      i++;
      continue;
    }
    let end = i;
    while (text[end] === '`') end++;
    const length = end - i;
    let close = -1;
    for (let j = end; j < text.length;) {
      if (text[j] !== '`') {
        j++;
        continue;
      }
      let k = j;
      while (text[k] === '`') k++;
      if (k - j === length) {
        close = k;
        break;
      }
      j = k;
    }
    if (close < 0) {
      i = end;
      continue;
    }
    mask.fill(true, i, close);
    i = close;
  }
  return mask;
}

/** What would render from the input outside code: HTML, images, links, mentions. */
function hazards(markdown: string): string[] {
  // Escape pairs are literal characters; take them out before looking.
  const text = renderedText(markdown).replace(/\\[!-/:-@[-`{-~]/g, '_');
  const found: string[] = [];
  if (text.includes('<!--')) found.push('<!--');
  if (text.includes('<')) found.push('<');
  if (text.includes('![')) found.push('![');
  if (text.includes('](')) found.push('](');
  if (/(^|[^\w])@[A-Za-z0-9]/.test(text)) found.push('@mention');
  if (/(^|[^\w])#\d/.test(text)) found.push('#123');
  if (/\$/.test(text)) found.push('$');
  return found;
}

/** The remediation of the security review's rule file (../repro/remediation-fence). */
const REPRO = [
  'Variant 1 (one line): \\`<img src="https://attacker.example/v1.png">\\` \\`![v1](https://attacker.example/v1b.png) cc @octocat\\`',
  '',
  '```x`',
  '<img src="https://attacker.example/pixel.png?pr=2"><a href="https://attacker.example/phish">Click here to re-run the security check</a>',
  '![tracking](https://attacker.example/img.png) [login](javascript:alert(1)) cc @octo-org/security-team @octocat',
  '<!--'
].join('\n');

const PAYLOAD = '<img src=https://attacker.example/p.png> ![i](https://attacker.example/i.png) @octocat <!--';

describe('the reader in these tests', () => {
  it('sees code where CommonMark does, and text where it does not', () => {
    expect(hazards('`<b>`')).toEqual([]);
    expect(hazards('```\n<b>\n```')).toEqual([]);
    expect(hazards('\\`<b>\\`')).toEqual(['<']);
    expect(hazards('```x`\n<b>\n```')).toEqual(['<']);
    expect(hazards('`a\n`<b>`')).toEqual(['<']);
    expect(hazards('~~~\n<b>\n```\n<b>')).toEqual([]);
    expect(hazards('````\n<b>\n```\n<b>')).toEqual([]);
    expect(hazards('    ```\n<b>')).toEqual(['<']);
    expect(hazards('- item\n  ```\n<b>\n  ```')).toEqual(['<']);
    expect(hazards('- item\n\n    ```\n    <b>\n    ```')).toEqual([]);
    expect(hazards('- item\n    ```\n    <b>\n    ```')).toEqual(['<']);
  });
});

describe('sanitizeMarkdown: the security review’s remediation', () => {
  it('renders no HTML, image, link or mention, and no comment hides what follows', () => {
    const out = sanitizeMarkdown(REPRO);
    expect(hazards(out)).toEqual([]);
    expect(out).not.toMatch(/<(img|a |!--)/);
    // What the reviewer reads is still there, as text.
    expect(out).toContain('&lt;img src="https://attacker.example/pixel.png?pr=2">');
    expect(out).toContain('@\u200bocto-org/security-team');
  });

  it('a backslash-escaped backtick opens no code span', () => {
    expect(sanitizeMarkdown('\\`<img src=x>\\`')).toBe('\\`&lt;img src=x>\\`');
    expect(sanitizeMarkdown('\\``<b>`')).toBe('\\``<b>`');
    expect(sanitizeMarkdown('\\\\`<b>`')).toBe('\\\\`<b>`');
    expect(sanitizeMarkdown('\\\\\\`<b>\\`')).toBe('\\\\\\`&lt;b>\\`');
  });

  it('a backtick fence whose info string holds a backtick is text, and so is all that follows it', () => {
    const out = sanitizeMarkdown(`\`\`\`x\`\n${PAYLOAD}\n\`\`\`\n${PAYLOAD}`);
    expect(hazards(out)).toEqual([]);
    expect(out.split('\n')[0]).toBe('\\`\\`\\`x\\`');
  });
});

describe('sanitizeMarkdown: the class, not the two examples', () => {
  it.each([
    ['a backtick fence, info with a backtick after a space', '``` js `\n'],
    ['a backtick fence, info with a backtick in the middle', '```js`x\n'],
    ['a backtick fence of four, info with a backtick', '````a`\n'],
    ['a fence indented four spaces (an indented code block)', '    ```\n'],
    ['a fence indented with a tab', '\t```\n'],
    ['a fence after a paragraph line, indented four spaces', 'para\n    ```\n'],
    ['a fence in a block quote, closed outside it', '> ```\n'],
    ['a fence in a list item, the lines after it outside the item', '- item\n  ```\n'],
    ['a fence in a list item of an ordered list', '1. item\n   ```\n'],
    ['an inline span of three backticks at the start of a line', '```a```\n'],
    ['an unmatched backtick, then a span on the next line', '`a\n`'],
    ['an unmatched double backtick, then spans', '``a\n`b` ``'],
    ['a backslash before a backtick in the text', '\\`'],
    ['two backslashes, then a backtick', '\\\\`'],
    ['a tilde fence whose info holds backticks (a fence)', '~~~ `x`\n'],
    ['a tilde fence in a list item', '- ~~~\n'],
    ['an HTML block start inside what looks like a fence', '~~~~\n~~~\n']
  ])('%s', (_label, prefix) => {
    for (const suffix of ['', '\n```', '\n~~~', '\n````', '`', '\n`']) {
      const input = `${prefix}${PAYLOAD}${suffix}\n${PAYLOAD}`;
      expect({ input, hazards: hazards(sanitizeMarkdown(input)) }).toEqual({ input, hazards: [] });
    }
  });

  it.each([
    ['a closing fence shorter than the opening does not close it', '````\n<b>\n```\n<i>', '````\n<b>\n```\n<i>\n````'],
    ['a closing fence of the other character does not close it', '```\n<b>\n~~~\n<i>', '```\n<b>\n~~~\n<i>\n```'],
    ['a longer closing fence closes it', '```\n<b>\n`````\n<i>', '```\n<b>\n```\n&lt;i>'],
    ['a closing fence with text after it is content', '```\n<b>\n``` x\n<i>', '````\n<b>\n``` x\n<i>\n````'],
    ['a closing fence indented four spaces is content', '```\n<b>\n    ```\n<i>', '````\n<b>\n    ```\n<i>\n````'],
    ['a closing fence indented three spaces closes it', '```\n<b>\n   ```\n<i>', '```\n<b>\n```\n&lt;i>'],
    [
      'nested fences: the inner one is content',
      '````md\n```\n<b>\n```\n````\n<i>',
      '````md\n```\n<b>\n```\n````\n&lt;i>'
    ],
    ['a tilde fence may hold backticks in its info', '~~~ `x`\n<b>\n~~~', '~~~\n<b>\n~~~'],
    ['an unclosed tilde fence runs to the end, and is closed', '~~~\n<b>', '~~~\n<b>\n~~~']
  ])('%s', (_label, input, expected) => {
    expect(sanitizeMarkdown(input)).toBe(expected);
    expect(hazards(sanitizeMarkdown(input))).toEqual([]);
  });

  it('no content line can close the fence it is written in, however it is indented', () => {
    // "      ```" is content for a list item whose content starts two columns in, but would close
    // the fence for a reader that put the item's margin further right: the fence written is longer.
    const out = sanitizeMarkdown('- step\n  ```\n  a\n      ```\n  <img src=x>\n  ```');
    expect(out).toBe('- step\n  ````\n  a\n      ```\n  <img src=x>\n  ````');
    // Three columns past the item's margin it is the closing fence, so what follows is text.
    expect(sanitizeMarkdown('- step\n  ```\n  a\n     ```\n  <img src=x>')).toBe(
      '- step\n  ```\n  a\n  ```\n  &lt;img src=x>'
    );
  });

  it('a block whose lines leave the list item it opened in is written at the left margin', () => {
    // On GitHub the fence is in the item; "<img>" is not indented, so it ends the item and the fence.
    const out = sanitizeMarkdown('- item\n  ```\n<img src=x>\n  ```');
    expect(out).toBe('- item\n```\n<img src=x>\n```');
    expect(hazards(out)).toEqual([]);
  });

  it('a fence indented four columns after a blank line stays where it is (code either way)', () => {
    expect(sanitizeMarkdown('- item\n\n    ```sh\n    az keyvault update\n    ```')).toBe(
      '- item\n\n    ```sh\n    az keyvault update\n    ```'
    );
  });

  it('the info string keeps one plain language word, and none that GitHub renders as something else', () => {
    expect(sanitizeMarkdown('```json title="x"\n{}\n```')).toBe('```json\n{}\n```');
    expect(sanitizeMarkdown('~~~<img src=x>\n{}\n~~~')).toBe('~~~\n{}\n~~~');
    expect(sanitizeMarkdown('```mermaid\ngraph TD; A-->B\n```')).toBe('```\ngraph TD; A-->B\n```');
    expect(sanitizeMarkdown('~~~Math\nx\n~~~')).toBe('~~~\nx\n~~~');
  });

  it.each([
    ['a double-backtick span holding single backticks', '``a ` <b> ` c``', '``a ` <b> ` c``'],
    ['a span padded because it starts with a backtick', '`` `<b> ``', '`` `<b> ``'],
    ['a backslash inside a span is literal and ends nothing', '`a\\`<b>', '`a\\`&lt;b>'],
    ['a backslash before a backtick outside a span escapes it', 'x \\`<b>` y', 'x \\`&lt;b>\\` y'],
    ['backtick runs of different lengths do not pair', '``<b>`', '\\`\\`&lt;b>\\`'],
    ['a span across two lines is written on one', 'a `<b>\n<i>` c', 'a `<b> <i>` c'],
    [
      'pipes in a span are escaped where a table may split it',
      '| a |\n| - |\n| `<b>|<i>` |',
      '| a |\n| - |\n| `<b>\\|<i>` |'
    ]
  ])('%s', (_label, input, expected) => {
    expect(sanitizeMarkdown(input)).toBe(expected);
    expect(hazards(sanitizeMarkdown(input))).toEqual([]);
  });

  it('text outside code: HTML, images, script links, reference links, entities, math and mentions', () => {
    expect(sanitizeMarkdown('<img src=x> <!-- x')).toBe('&lt;img src=x> &lt;!-- x');
    expect(sanitizeMarkdown('![i](https://e.example/i.png)')).toBe('!\\[i\\](https://e.example/i.png)');
    expect(sanitizeMarkdown('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    // No link, so no link title in which a backtick could hide from the reading of code spans.
    expect(sanitizeMarkdown('[x](/u "`") <b> `')).toBe('\\[x\\](/u "`") <b> `');
    expect(sanitizeMarkdown('[x]\n\n[x]: https://e.example')).toBe('\\[x\\]\n\n\\[x\\]: https://e.example');
    expect(sanitizeMarkdown('&#64;octocat &#35;1 AT&T &lt;b&gt;')).toBe(
      '&amp;#\u200b64;octocat &amp;#\u200b35;1 AT&amp;T &lt;b&gt;'
    );
    expect(sanitizeMarkdown('$`x`$ costs $5')).toBe('\\$`x`\\$ costs \\$5');
    expect(sanitizeMarkdown('ask @octocat, \\@octocat, see #12 and o/r#3')).toBe(
      'ask @\u200boctocat, \\@\u200boctocat, see #\u200b12 and o/r#\u200b3'
    );
    expect(sanitizeMarkdown('- ~~~\na ~~~ b ~~y~~')).toBe('- \\~~~\na \\~~~ b ~~y~~');
  });

  it('keeps a rule author’s ordinary Markdown', () => {
    const input = [
      '## Fix',
      '',
      'Set `properties.encryption.keySource` to **`Microsoft.Keyvault`** (see [the docs](https://learn.microsoft.com/azure/x)).',
      '',
      '1. Create a key:',
      '   ```bash',
      '   az keyvault key create --vault-name <vault> --name cmk',
      '   ```',
      '2. Point the account at it: `az ... --encryption-key-name cmk`.',
      '',
      '- a *list* with _emphasis_ and ~~strike~~',
      '> a quote'
    ].join('\n');
    expect(sanitizeMarkdown(input)).toBe(input);
  });
});

describe('sanitizeMarkdown: random backticks, backslashes, tildes, fences and HTML', () => {
  const pieces = [
    '`',
    '``',
    '```',
    '````',
    '\\',
    '\\`',
    '~',
    '~~~',
    '~~~~',
    '\n',
    '\n\n',
    ' ',
    '   ',
    '    ',
    '\t',
    'a',
    'x`y',
    '<img>',
    '- ',
    '> ',
    '@o',
    '[l](',
    ')',
    '!['
  ];
  it('nothing renders outside code as this reader reads the output', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), parts => {
        const input = parts.join('');
        const out = sanitizeMarkdown(input);
        expect({ input, out, hazards: hazards(out) }).toEqual({ input, out, hazards: [] });
        // Every fence it opens it closes: what follows the remediation is never swallowed.
        expect(renderedText(`${out}\n\n<b>`).endsWith('<b>')).toBe(true);
      }),
      { numRuns: 3000 }
    );
  });
});
