import { describe, expect, it } from '@jest/globals';
import { ev } from '../support.js';

// Examples from https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string
describe('string functions', () => {
  it('base64, base64ToString, base64ToJson', () => {
    expect(ev("[base64('one, two, three')]")).toBe('b25lLCB0d28sIHRocmVl');
    expect(ev("[base64ToString('b25lLCB0d28sIHRocmVl')]")).toBe('one, two, three');
    expect(ev(`[base64ToJson(base64('{"one": "a", "two": "b"}'))]`)).toEqual({ one: 'a', two: 'b' });
  });

  // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#json
  it('json parses JSON text, and json(null) is how templates write null', () => {
    expect(ev(`[json('{"a": "b", "n": [1, 2]}')]`)).toEqual({ a: 'b', n: [1, 2] });
    expect(ev("[json('null')]")).toBeNull();
    expect(ev("[json('true')]")).toBe(true);
    expect(() => ev("[json('{not json')]")).toThrow(/not valid JSON/);
  });

  // Azure Verified Modules deploy json(loadTextContent('naming-rules.jsonc')): ARM's reader skips comments.
  it('json skips // and /* */ comments outside strings, and keeps // inside them', () => {
    const text =
      '{\n  // abbreviations: https://learn.microsoft.com/x\n  "url": "https://a//b", /* the prefix */ "p": \'kv\'\n}';
    expect(ev(`[json('${text.replace(/'/g, "''")}')]`)).toEqual({ url: 'https://a//b', p: 'kv' });
    expect(() => ev('[json(\'{"a": 1 /* never closed\')]')).toThrow(/not valid JSON/);
  });

  it('padLeft refuses to build a string longer than a template can be (4 MB)', () => {
    expect(() => ev("[padLeft('x', 2000000000, 'y')]")).toThrow(/asked for 2000000000 characters/);
    expect(ev("[padLeft('7', 3, '0')]")).toBe('007');
  });

  it('dataUri and dataUriToString', () => {
    expect(ev("[dataUri('Hello')]")).toBe('data:text/plain;charset=utf8;base64,SGVsbG8=');
    expect(ev("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]")).toBe('Hello, World!');
  });

  it('startsWith and endsWith ignore case', () => {
    expect(ev("[startsWith('abcdef', 'ab')]")).toBe(true);
    expect(ev("[startsWith('abcdef', 'A')]")).toBe(true);
    expect(ev("[startsWith('abcdef', 'e')]")).toBe(false);
    expect(ev("[endsWith('abcdef', 'F')]")).toBe(true);
  });

  it('format uses .NET composite formatting', () => {
    expect(ev("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]")).toBe(
      'Hello, User. Formatted number: 8,175,133'
    );
    expect(ev("[format('{0:N2}|{0:D8}|{1:X}|{{x}}|{2}', 1234, 255, true())]")).toBe('1,234.00|00001234|FF|{x}|True');
    expect(ev("[format('{0,5}|{0,-5}|{0:000}', 7)]")).toBe('    7|7    |007');
    expect(() => ev("[format('{1}', 'a')]")).toThrow(/refers to an argument that was not given/);
  });

  // https://learn.microsoft.com/dotnet/standard/base-types/standard-numeric-format-strings: "G" with a
  // precision is fixed-point while the exponent is above -5 and below the precision, else scientific with
  // at least two exponent digits; "X" writes a negative Int64 (ARM's integers) in two's complement.
  // The examples of https://learn.microsoft.com/dotnet/standard/base-types/custom-numeric-format-strings.
  it('format: custom numeric formats with literals, escapes, scaling, percent and sections', () => {
    expect(ev("[format('{0:00000}|{0:#####}|{0:[##-##-##]}', 123456)]")).toBe('123456|123456|[12-34-56]');
    expect(ev("[format('{0:(###) ###-####}', 1234567890)]")).toBe('(123) 456-7890');
    expect(ev("[format('{0:#,#}|{0:#,##0,,}|{0:#,,}', 1234567890)]")).toBe('1,234,567,890|1,235|1235');
    expect(ev("[format('{0:#0.##%}|{0:0.0%}', json('0.086'))]")).toBe('8.6%|8.6%');
    expect(ev("[format('{0:\\#\\#\\# ##0 dollars and \\0\\0 cents \\#\\#\\#}', 123)]")).toBe(
      '### 123 dollars and 00 cents ###'
    );
    expect(ev("[format('{0:##;(##)}|{1:##;(##)}|{2:##;(##);''zero''}', 1234, -1234, 0)]")).toBe('1234|(1234)|zero');
    expect(ev("[format('{0:##-##}|{0:00-00}|{1:00-00}', 12, 1234)]")).toBe('-12|00-12|12-34');
    expect(ev("[format('{0:0.00}|{0:#.#}|{1:#.#}', json('1.2'), -5)]")).toBe('1.20|1.2|-5');
    expect(() => ev("[format('{0:0.###E+0}', 86000)]")).toThrow(/uses an exponent/);
    expect(() => ev("[format('{0:R}', 5)]")).toThrow(/"R" is not a supported number format/);
  });

  it('format: G with a precision, and X of a negative integer, as .NET writes Int64', () => {
    expect(ev("[format('{0:G2}|{0:g3}|{0:G5}|{0:G}', 12345)]")).toBe('1.2E+04|1.23e+04|12345|12345');
    expect(ev("[format('{0:G1}|{1:G2}|{2:G3}', 15000, -98765, 42)]")).toBe('2E+04|-9.9E+04|42');
    expect(ev("[format('{0:G3}|{1:G3}', json('0.000123456'), json('0.0000123456'))]")).toBe('0.000123|1.23E-05');
    expect(ev("[format('{0:X}|{0:x}|{1:X4}', -1, -255)]")).toBe('FFFFFFFFFFFFFFFF|ffffffffffffffff|FFFFFFFFFFFFFF01');
    expect(ev("[format('{0:X}', -4294967296)]")).toBe('FFFFFFFF00000000');
  });

  it('indexOf and lastIndexOf ignore case for strings', () => {
    expect(ev("[indexOf('test', 't')]")).toBe(0);
    expect(ev("[lastIndexOf('test', 't')]")).toBe(3);
    expect(ev("[indexOf('abcdef', 'CD')]")).toBe(2);
    expect(ev("[lastIndexOf('abcdef', 'AB')]")).toBe(0);
    expect(ev("[indexOf('abcdef', 'z')]")).toBe(-1);
  });

  it('padLeft, replace, split, trim, toLower, toUpper', () => {
    expect(ev("[padLeft('123', 10, '0')]")).toBe('0000000123');
    expect(ev('[padLeft(123, 2)]')).toBe('123');
    expect(ev("[replace('123-123-1234', '-', '')]")).toBe('1231231234');
    expect(ev("[replace('123-123-1234', '1234', 'xxxx')]")).toBe('123-123-xxxx');
    expect(ev("[split('one,two,three', ',')]")).toEqual(['one', 'two', 'three']);
    expect(ev("[split('one;two,three', createArray(',', ';'))]")).toEqual(['one', 'two', 'three']);
    expect(ev("[trim('    one two three   ')]")).toBe('one two three');
    expect(ev("[toLower('One Two Three')]")).toBe('one two three');
    expect(ev("[toUpper('One Two Three')]")).toBe('ONE TWO THREE');
  });

  it('string converts any value; containers as compact JSON', () => {
    expect(ev("[string(createObject('valueA', 10, 'valueB', 'Example Text'))]")).toBe(
      '{"valueA":10,"valueB":"Example Text"}'
    );
    expect(ev("[string(createArray('a', 'b', 'c'))]")).toBe('["a","b","c"]');
    expect(ev('[string(5)]')).toBe('5');
  });

  it('substring, with the documented error past the end', () => {
    expect(ev("[substring('one two three', 4, 3)]")).toBe('two');
    expect(ev("[substring('one two three', 4)]")).toBe('two three');
    expect(() => ev("[substring('1234567890', 0, 11)]")).toThrow(
      "The index and length parameters must refer to a location within the string. The index parameter: '0', the length parameter: '11', the length of the string parameter: '10'."
    );
  });

  it('uri, uriComponent, uriComponentToString', () => {
    expect(ev("[uri('http://contoso.org/firstpath', 'myscript.sh')]")).toBe('http://contoso.org/myscript.sh');
    expect(ev("[uri('http://contoso.org/firstpath/', 'myscript.sh')]")).toBe(
      'http://contoso.org/firstpath/myscript.sh'
    );
    expect(ev("[uri('http://contoso.org/firstpath/azuredeploy.json', 'myscript.sh')]")).toBe(
      'http://contoso.org/firstpath/myscript.sh'
    );
    expect(ev("[uri('http://contoso.org/firstpath/azuredeploy.json/', 'myscript.sh')]")).toBe(
      'http://contoso.org/firstpath/azuredeploy.json/myscript.sh'
    );
    expect(ev("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]")).toBe(
      'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json'
    );
    expect(ev("[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]")).toBe(
      'http://contoso.com/resources/nested/azuredeploy.json'
    );
  });

  it('uniqueString and guid have the documented shapes', () => {
    expect(ev("[uniqueString('a', 'b')]")).toMatch(/^[a-z2-7]{13}$/);
    expect(ev("[guid('a', 'b')]")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => ev('[uniqueString(1)]')).toThrow(/expects its first argument to be a string/);
  });
});
