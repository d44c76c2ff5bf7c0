// Rewrites the bundles ncc wrote (every .js file under the folders given) with every character outside
// ASCII written as a \u escape. Node decodes an ASCII file to a one-byte string almost at once; one
// character outside ASCII makes it decode the whole 2.7 MB bundle through the slow UTF-8 path and keep a
// two-byte copy (about 20 ms of every start). The meaning cannot change: only string literals, template
// literals and comments may hold such characters (anything else stops the build, naming the place), a
// template's raw text matters only when it is tagged (refused too), and the rewritten file is parsed again
// and must give the same literal values, in the same order, without a syntax error.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const NON_ASCII = /[\u0080-\uffff]/;

/** `\uXXXX` for each UTF-16 unit: valid in string and template literals (their cooked value) and in comments. */
function escapeUnits(text) {
  return text.replace(/[\u0080-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function parse(file, text) {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS);
}

/** Whether a piece of a template literal belongs to a tagged template (whose tag may read the raw text). */
function isTagged(node) {
  let template = node;
  if (ts.isTemplateSpan(template.parent)) template = template.parent.parent;
  else if (ts.isTemplateExpression(template.parent)) template = template.parent;
  return ts.isTaggedTemplateExpression(template.parent);
}

/**
 * The values of the file's string and template literals and the text of its regular expressions, in order,
 * and the places where a character outside ASCII could not be escaped.
 */
function literals(source) {
  const values = [];
  const refused = [];
  const visit = node => {
    switch (node.kind) {
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateHead:
      case ts.SyntaxKind.TemplateMiddle:
      case ts.SyntaxKind.TemplateTail: {
        values.push(`literal ${node.text}`);
        if (isTagged(node) && NON_ASCII.test(node.getText(source)))
          refused.push([node.getStart(source), 'a tagged template (its raw text would change)']);
        break;
      }
      case ts.SyntaxKind.RegularExpressionLiteral:
        // `\\uXXXX` means the unit it names in a pattern too (a pair of them one code point, with the u flag),
        // but after a backslash it would be read as an escaped backslash.
        values.push(`pattern ${node.text}`);
        if (/\\[\u0080-\uffff]/.test(node.text))
          refused.push([node.getStart(source), 'a regular expression, after a backslash']);
        break;
      case ts.SyntaxKind.Identifier:
      case ts.SyntaxKind.PrivateIdentifier:
        if (NON_ASCII.test(node.text)) refused.push([node.getStart(source), 'a name']);
        break;
      default:
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { values, refused };
}

/** The text of `file` with every non-ASCII character escaped; throws where that could change what it means. */
export function asciiOnly(file, text) {
  if (!NON_ASCII.test(text)) return text;
  const before = parse(file, text);
  const { values, refused } = literals(before);
  if (refused.length > 0) {
    const [at, what] = refused[0];
    const { line, character } = before.getLineAndCharacterOfPosition(at);
    throw new Error(
      `${file}:${line + 1}:${character + 1}: a character outside ASCII in ${what}; write it as an escape.`
    );
  }
  const rewritten = escapeUnits(text);
  const after = parse(file, rewritten);
  const problems = after.parseDiagnostics ?? [];
  const again = literals(after).values;
  // A string's value is the same; a regular expression's text is the same but for the escapes.
  const same = (value, i) => (value.startsWith('pattern ') ? escapeUnits(value) : value) === again[i];
  if (problems.length > 0 || again.length !== values.length || !values.every(same))
    throw new Error(
      `${file}: escaping the characters outside ASCII changed the file's meaning (outside a literal or comment).`
    );
  return rewritten;
}

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(file);
    return entry.name.endsWith('.js') ? [file] : [];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const dir of process.argv.slice(2)) {
    for (const file of jsFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      const ascii = asciiOnly(file, text);
      if (ascii !== text) writeFileSync(file, ascii);
    }
  }
}
