import { describe, expect, it } from '@jest/globals';
import {
  ExpressionSyntaxError,
  formatExpr,
  isExpression,
  parseExpression,
  parseTemplateString
} from '../../src/expr/parse.js';

// Syntax: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
describe('isExpression', () => {
  it('recognises [..] but not the [[ escape', () => {
    expect(isExpression("[concat('a')]")).toBe(true);
    expect(isExpression("[[concat('a')]")).toBe(false);
    expect(isExpression('plain')).toBe(false);
    expect(isExpression('[no end')).toBe(false);
    expect(isExpression('x[y]')).toBe(false);
  });
});

describe('parseTemplateString', () => {
  it('unescapes a leading [[ to a literal [', () => {
    expect(parseTemplateString('[[variables(1)]')).toBe('[variables(1)]');
    expect(parseTemplateString('just text')).toBe('just text');
  });

  it('parses expressions', () => {
    expect(parseTemplateString("[toLower('A')]")).toMatchObject({ kind: 'call', name: 'toLower' });
  });
});

describe('parseExpression', () => {
  it('parses nested calls with offsets into the original text', () => {
    const expr = parseExpression("[concat(parameters('a'), '-x')]");
    expect(expr).toEqual({
      kind: 'call',
      name: 'concat',
      start: 1,
      end: 30,
      args: [
        {
          kind: 'call',
          name: 'parameters',
          start: 8,
          end: 23,
          args: [{ kind: 'literal', value: 'a', start: 19, end: 22 }]
        },
        { kind: 'literal', value: '-x', start: 25, end: 29 }
      ]
    });
  });

  it('parses property and index chains', () => {
    const expr = parseExpression("[reference('x').outputs['key'].value[0]]");
    expect(formatExpr(expr)).toBe("reference('x').outputs['key'].value[0]");
    expect(expr.kind).toBe('index');
    if (expr.kind !== 'index') return;
    expect(expr.index).toMatchObject({ kind: 'literal', value: 0 });
    expect(expr.target).toMatchObject({ kind: 'property', name: 'value' });
  });

  it("unescapes '' inside strings and keeps ] inside strings", () => {
    expect(parseExpression("['it''s]']")).toMatchObject({ kind: 'literal', value: "it's]" });
  });

  it('accepts whitespace between tokens', () => {
    expect(formatExpr(parseExpression("[ concat( 'a' ,\n 'b' ) ]"))).toBe("concat('a', 'b')");
  });

  it('accepts white space as .NET has it: no-break and other Unicode spaces, and before an index or a property', () => {
    expect(formatExpr(parseExpression("[concat('a',\u00a0'b')]"))).toBe("concat('a', 'b')");
    expect(formatExpr(parseExpression("[concat(\u2003'a'\u3000,\u202f'b')]"))).toBe("concat('a', 'b')");
    expect(formatExpr(parseExpression("[variables('a')[ 0 ] [1] .name]"))).toBe("variables('a')[0][1].name");
    // Not white space in .NET: the zero-width no-break space (BOM) stays an error.
    expect(() => parseExpression("[concat('a',\ufeff'b')]")).toThrow(ExpressionSyntaxError);
  });

  it('parses negative integers', () => {
    expect(parseExpression('[add(-5, 3)]')).toMatchObject({ args: [{ value: -5 }, { value: 3 }] });
  });

  it('parses namespaced user-defined function names', () => {
    expect(parseExpression("[contoso.uniqueName('a')]")).toMatchObject({ kind: 'call', name: 'contoso.uniqueName' });
  });

  it('formats back to source text with quotes escaped', () => {
    expect(formatExpr(parseExpression("[if(equals(parameters('k'), 'it''s'), 1, -2)]"))).toBe(
      "if(equals(parameters('k'), 'it''s'), 1, -2)"
    );
  });

  const syntaxErrors: Array<[string, number, RegExp]> = [
    ["[concat('a']", 11, /not closed/],
    ["[concat('a)]", 8, /string is not closed/],
    ['[]', 1, /empty/],
    ["[concat('a') 'b']", 13, /after the end/],
    ['[foo]', 4, /Expected "\("/],
    ["[concat('a',)]", 12, /Expected a function call|expected a function call/],
    ['[a().?b]', 5, /tryGet/],
    ['[json(1.5)]', 7, /integer literals/],
    ["[x('a')[]]", 8, /index/]
  ];
  it.each(syntaxErrors)('reports %s at offset %d', (text, offset, message) => {
    let error: unknown;
    try {
      parseExpression(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    const syntax = error as ExpressionSyntaxError;
    expect(syntax.offset).toBe(offset);
    expect(syntax.expression).toBe(text);
    expect(syntax.message).toMatch(message);
  });
});

describe('hostile expressions', () => {
  it('refuses nesting deeper than the parser allows, with the offset, and quotes only part of a long expression', () => {
    const deep = `[${'concat('.repeat(5000)}'x'${')'.repeat(5000)}]`;
    let error: unknown;
    try {
      parseExpression(deep);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    const message = (error as Error).message;
    expect(message).toMatch(/nests more than 200 levels deep/);
    expect(message.length).toBeLessThan(400);
  });
});
