/**
 * Escaping for everything a pull request can put in front of a reviewer: file names,
 * resource names and parameter values reach workflow commands, Markdown and terminals.
 */

/** Workflow-command data (the part after `::`): the runner decodes %25, %0D and %0A. */
export function escapeCommandData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values (`file=…,title=…`): also `:` and `,`, which end a property. */
export function escapeCommandProperty(value: string): string {
  return escapeCommandData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Characters that reorder, hide or act on the text a reviewer reads: control characters (an
 * escape sequence, a bell; tab and line breaks are left to each output), bidirectional overrides
 * and isolates ("Trojan Source", CVE-2021-42574), zero-width and invisible characters, line and
 * paragraph separators. In every output a person reads they are shown as `\u{202E}`.
 */
const INVISIBLE =
  // Matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export function revealInvisible(value: string): string {
  return value.replace(INVISIBLE, c => `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`);
}

const MENTION = /@(?=[A-Za-z0-9])/g;
/** `#123`, `GH-123` and `owner/repo#123` link an issue and leave a cross-reference on it. */
const ISSUE_REFERENCE = /(#|\bGH-)(?=\d)/gi;
const ZERO_WIDTH_SPACE = '\u200b';
/**
 * Where GitHub's Markdown makes a link of bare text (the autolink extension of GFM: `www.`, `http://`, `https://`): a
 * URL a pull request writes into a value is shown, not made a link in the bot's comment.
 */
const BARE_LINK = /(?<![A-Za-z0-9])(https?(?=:\/\/)|www(?=\.))/gi;

/**
 * Plain text as Markdown inline text on one line: HTML is shown, not rendered; emphasis,
 * links and table pipes are escaped; `@name` and `#123` are broken so they neither notify,
 * link nor leave a cross-reference on someone else's issue, and bare URLs so that they are not links.
 */
export function escapeMarkdown(value: string): string {
  return revealInvisible(value)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MENTION, '@' + ZERO_WIDTH_SPACE)
    .replace(ISSUE_REFERENCE, '$1' + ZERO_WIDTH_SPACE)
    .replace(BARE_LINK, '$1' + ZERO_WIDTH_SPACE);
}

/**
 * A value as a Markdown code span on one line. Code spans render HTML and mentions as
 * text; the fence is longer than any run of backticks inside. In a table cell GitHub
 * splits on `|` even inside code, so pipes are escaped there (GFM spec, tables extension).
 */
export function codeSpan(value: string, inTable = false): string {
  const oneLine = revealInvisible(value).replace(/\r\n|\r|\n/g, ' ');
  if (oneLine === '') return '*(empty)*';
  const longest = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map(run => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(oneLine) ? ' ' : '';
  // Pipes split the cell before the code span is parsed. A backslash escapes the next
  // character for the cell splitter too, so `\|` in a value would become an escaped
  // backslash and a bare pipe: the backslashes before a pipe are doubled as well.
  const body = inTable ? oneLine.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes}\\|`) : oneLine;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Markdown written by a rule's author (remediation), which a pull request can add or change:
 * kept as Markdown, but nothing in it renders as HTML, an image, a script link or a mention.
 *
 * The output is rebuilt rather than passed through, so that what stays raw is code on GitHub
 * whatever the author's text meant (CommonMark 0.31 / GFM):
 * - A fenced code block (§4.5) is written out again with a fence of our own: longer than any run
 *   of its character in the content, so no content line can close it whatever its indentation;
 *   the info string reduced to one plain language word; never left open. A backtick fence whose
 *   info string holds a backtick is no fence, and its lines are text.
 * - A code span (§6.1) is written out again on one line, delimited by a backtick run longer than
 *   any inside it. Every other backtick in the text is backslash-escaped, so no backtick can pair
 *   with one GitHub sees differently: a backslash-escaped backtick opens no span, and inside a
 *   span a backslash is literal.
 * - In the text, `<` is shown as text (no HTML, HTML block, autolink or comment), brackets are
 *   escaped except in a plain `[text](https://…)` link (no image, script link, reference
 *   definition or link title to hide a backtick in), `&` is escaped except in `&lt;` `&gt;`
 *   `&amp;` `&quot;` `&nbsp;` (an entity could spell `@`), `$` is escaped (GitHub's math), a run of
 *   three tildes loses its first (a tilde fence), and mentions and issue references are broken.
 */
export function sanitizeMarkdown(markdown: string): string {
  const lines = revealInvisible(markdown).replace(/\r\n?/g, '\n').split('\n');
  // In a table GitHub splits a row on `|` even inside a code span; a line that may be a
  // delimiter row makes every pipe in a span escaped (shown as `\|` outside a table).
  const pipes = lines.some(line => /^[-:| \t>*+.)\d]*$/.test(line) && line.includes('-'));
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(sanitizeText(paragraph.join('\n'), pipes));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = openingFence(line, i === 0 || isBlank(lines[i - 1]));
    if (fence) {
      flush();
      let end = i + 1;
      while (end < lines.length && !closesFence(lines[end], fence)) end++;
      out.push(...codeBlock(fence, lines.slice(i + 1, end)));
      i = end;
      continue;
    }
    if (isBlank(line)) {
      flush();
      out.push(line);
      continue;
    }
    // Code spans are read over a paragraph; these lines start or end one of their own.
    if (STARTS_BLOCK.test(line) || (paragraph.length && ENDS_LINE_BLOCK.test(paragraph[paragraph.length - 1]))) flush();
    paragraph.push(line);
  }
  flush();
  return out.join('\n');
}

interface Fence {
  indent: number;
  char: string;
  length: number;
  info: string;
}

/** Block starts that end a paragraph (quotes, headings, list items, breaks) and table rows. */
const STARTS_BLOCK = /^ {0,3}(?:>|#{1,6}(?:[ \t]|$)|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[-*_=])|\|/;
const ENDS_LINE_BLOCK = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|[-*_=])|\|/;

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

/** Columns of indentation, a tab reaching the next multiple of four (CommonMark §2.2). */
function indentation(line: string): number {
  let column = 0;
  for (const c of line) {
    if (c === ' ') column++;
    else if (c === '\t') column += 4 - (column % 4);
    else break;
  }
  return column;
}

/**
 * An opening code fence as this reader takes it. Indented four columns or more, only after a
 * blank line (a list item's fence; the block is written at that indentation only where
 * GitHub reads it as code either way, see codeBlock).
 */
function openingFence(line: string, afterBlank: boolean): Fence | null {
  const match = /^[ \t]*(`{3,}|~{3,})(.*)$/.exec(line);
  if (!match) return null;
  const indent = indentation(line);
  if (indent > 3 && !afterBlank) return null;
  // §4.5: the info string of a backtick fence may not contain backticks.
  if (match[1][0] === '`' && match[2].includes('`')) return null;
  return { indent, char: match[1][0], length: match[1].length, info: match[2].trim() };
}

function closesFence(line: string, fence: Fence): boolean {
  const match = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
  return (
    match !== null &&
    match[1][0] === fence.char &&
    match[1].length >= fence.length &&
    indentation(line) <= fence.indent + 3
  );
}

/** GitHub renders these as diagrams, maps, models, math or suggested changes, not as code. */
const RENDERED_LANGUAGES = new Set(['mermaid', 'geojson', 'topojson', 'stl', 'math', 'suggestion']);

/**
 * The block with a fence of our own. Written at the author's indentation (up to three
 * columns, or more after a blank line) it opens a fence, or an indented code block; in a list
 * item whose content starts at or left of it the block goes on while every content line is
 * indented at least as far, so otherwise it is written at the left margin, where no container
 * can end it.
 */
function codeBlock(fence: Fence, content: string[]): string[] {
  const runs = fence.char === '`' ? /`+/g : /~+/g;
  const length = Math.max(fence.length, 1 + longestRun(content.join('\n'), runs));
  const indent = content.every(line => isBlank(line) || indentation(line) >= fence.indent) ? fence.indent : 0;
  const marker = ' '.repeat(indent) + fence.char.repeat(length);
  const language = /^[\w+#.-]{1,40}/.exec(fence.info)?.[0] ?? '';
  const info = language && !RENDERED_LANGUAGES.has(language.toLowerCase()) ? language : '';
  return [marker + info, ...content, marker];
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const SAFE_LINK = /\[([^[\]`\\<>\n]*)\]\((https?:\/\/[^\s()<>`\\'"[\]]+)\)/y;
const SAFE_ENTITY = /&(?:lt|gt|amp|quot|nbsp);/y;

/** A paragraph's text, read left to right as CommonMark's inline parser does (§6). */
function sanitizeText(text: string, pipes: boolean): string {
  let out = '';
  let plain = '';
  const flushPlain = () => {
    out += breakReferences(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ASCII_PUNCTUATION.test(text[i + 1])) {
      // A backslash escape (§2.4), kept as written: the character after it is literal.
      plain += text.slice(i, i + 2);
      i += 2;
    } else if (c === '`') {
      const run = backtickRun(text, i);
      const close = findClosingRun(text, i + run, run);
      if (close >= 0) {
        flushPlain();
        out += rewriteCodeSpan(text.slice(i + run, close), pipes);
        i = close + run;
      } else {
        // Not a span here; escaped, so it cannot pair with a backtick anywhere else.
        plain += '\\`'.repeat(run);
        i += run;
      }
    } else if (c === '[') {
      SAFE_LINK.lastIndex = i;
      const link = text[i - 1] === '!' ? null : SAFE_LINK.exec(text);
      if (link) {
        flushPlain();
        out += `[${breakReferences(plainText(link[1]))}](${link[2]})`;
        i += link[0].length;
      } else {
        plain += '\\[';
        i++;
      }
    } else if (c === '~') {
      const run = /~+/y;
      run.lastIndex = i;
      const tildes = run.exec(text)![0];
      plain += tildes.length >= 3 ? '\\' + tildes : tildes;
      i += tildes.length;
    } else if (c === '&') {
      SAFE_ENTITY.lastIndex = i;
      const entity = SAFE_ENTITY.exec(text)?.[0];
      plain += entity ?? '&amp;';
      i += entity?.length ?? 1;
    } else {
      plain += plainText(c);
      i++;
    }
  }
  flushPlain();
  return out;
}

/** Characters that need escaping wherever they stand in text. */
function plainText(text: string): string {
  return text.replace(/[<\]$&]/g, c => (c === '<' ? '&lt;' : c === '&' ? '&amp;' : '\\' + c));
}

function breakReferences(text: string): string {
  return text.replace(MENTION, '@' + ZERO_WIDTH_SPACE).replace(ISSUE_REFERENCE, '$1' + ZERO_WIDTH_SPACE);
}

/** The longest match of a global `runs` pattern (counted, not spread: a remediation may hold many). */
function longestRun(text: string, runs: RegExp): number {
  let longest = 0;
  for (const run of text.matchAll(runs)) longest = Math.max(longest, run[0].length);
  return longest;
}

function backtickRun(text: string, from: number): number {
  let end = from;
  while (text[end] === '`') end++;
  return end - from;
}

/**
 * A code span's content as GitHub shows it (line endings as spaces, one space stripped from
 * each side of a padded span), on one line between backtick runs longer than any inside.
 */
function rewriteCodeSpan(raw: string, pipes: boolean): string {
  let content = raw.replace(/\n[ \t]*/g, ' ');
  if (/^ [\s\S]* $/.test(content) && /[^ ]/.test(content)) content = content.slice(1, -1);
  const fence = '`'.repeat(longestRun(content, /`+/g) + 1);
  const pad = /^`|`$/.test(content) || (/^ [\s\S]* $/.test(content) && /[^ ]/.test(content)) ? ' ' : '';
  const body = pipes ? content.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes}\\|`) : content;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Where a backtick run of exactly `length` starts at or after `from`, or -1. */
function findClosingRun(line: string, from: number, length: number): number {
  const runs = /`+/g;
  runs.lastIndex = from;
  for (let m = runs.exec(line); m; m = runs.exec(line)) if (m[0].length === length) return m.index;
  return -1;
}

// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A value on one terminal line: control characters (newlines, ANSI escapes) are shown
 * as escapes instead of moving the cursor or colouring the terminal.
 */
export function escapeTerminal(value: string): string {
  return revealInvisible(value.replace(CONTROL_CHARACTERS, terminalEscape));
}

function terminalEscape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * Text printed to a log the runner reads: the runner takes any line that starts with `::`
 * (after leading spaces) as a workflow command, so a name at the start of a line could
 * annotate, mask or stop commands. Such a line shows its first colon as `\x3a`, in
 * `escapeTerminal`'s notation.
 */
export function neutralizeCommandLines(text: string): string {
  return text.replace(/^([^\S\r\n]*):(?=:)/gm, '$1\\x3a');
}

/**
 * A message for the runner's log (`core.info`, `warning`, `setFailed`): the file names, resource names
 * and messages in it come from the pull request, so invisible and control characters are shown as
 * `\u{1B}` (an ANSI escape would colour, clear or hyperlink the log) and no line of it starts a
 * workflow command.
 */
export function logText(message: string): string {
  return neutralizeCommandLines(revealInvisible(message));
}
