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
 * Plain text as Markdown inline text on one line: HTML is shown, not rendered; emphasis,
 * links and table pipes are escaped; `@name` and `#123` are broken so they neither notify,
 * link nor leave a cross-reference on someone else's issue.
 */
export function escapeMarkdown(value: string): string {
  return revealInvisible(value)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MENTION, '@' + ZERO_WIDTH_SPACE)
    .replace(ISSUE_REFERENCE, '$1' + ZERO_WIDTH_SPACE);
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
 * Markdown written by a rule's author (remediation): kept as Markdown, but raw HTML is
 * shown as text and mentions are broken, outside code spans and fenced blocks, since a
 * pull request can change the rule files it is checked with.
 */
export function sanitizeMarkdown(markdown: string): string {
  const out: string[] = [];
  let fence: { char: string; length: number } | null = null;
  for (const line of revealInvisible(markdown).replace(/\r\n?/g, '\n').split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      out.push(line);
      if (
        marker &&
        marker[1][0] === fence.char &&
        marker[1].length >= fence.length &&
        !/\S/.test(line.slice(marker[0].length))
      )
        fence = null;
      continue;
    }
    if (marker) {
      fence = { char: marker[1][0], length: marker[1].length };
      out.push(line);
      continue;
    }
    out.push(sanitizeInline(line));
  }
  // An unclosed fence would turn everything after the remediation into code.
  if (fence) out.push(fence.char.repeat(fence.length));
  return out.join('\n');
}

function sanitizeInline(line: string): string {
  let result = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '`') {
      const run = /^`+/.exec(line.slice(i))![0];
      const close = findClosingRun(line, i + run.length, run.length);
      if (close >= 0) {
        result += line.slice(i, close + run.length);
        i = close + run.length;
        continue;
      }
      result += run;
      i += run.length;
      continue;
    }
    const next = line.indexOf('`', i);
    const end = next < 0 ? line.length : next;
    result += line
      .slice(i, end)
      .replace(/</g, '&lt;')
      .replace(MENTION, '@' + ZERO_WIDTH_SPACE)
      // Images load from anywhere a reader's browser goes; script and data links run or hide content.
      .replace(/!\[/g, '!\\[')
      .replace(/\]\((?=\s*<?\s*(?:javascript|data|vbscript):)/gi, ']\\(');
    i = end;
  }
  return result;
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
