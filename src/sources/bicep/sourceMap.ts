/**
 * From the template the Bicep CLI compiles back to the `.bicep` file: each resource of the
 * compiled template is matched to its declaration, by symbolic name where the template keeps them
 * (languageVersion 2.0: `resources` is an object keyed by symbolic name, `parent::child` for nested
 * ones) and otherwise by type and order (Bicep writes a file's resources in the order it declares
 * them). A module's resources map into the module's own file. A position in the compiled template is
 * then the position of the same property in the declaration's body where the body writes it out, or
 * of the declaration; parameters, variables and outputs map to their declarations.
 */
import * as path from 'node:path';
import type { SourcePosition } from '../../model/resource.js';
import type { Json } from '../../model/value.js';
import { isObject } from '../../model/value.js';
import { joinPointer, parentPointer, splitPointer } from '../../model/pointer.js';
import type { PositionedJson } from '../json.js';
import { positionInBody, readBicep, isLocalPath, type BicepDeclaration, type BicepFile } from './syntax.js';
import { foldCase } from '../../model/foldCase.js';

interface Mapped {
  file: string;
  parsed: BicepFile;
}

interface NodeEntry extends Mapped {
  declaration: BicepDeclaration;
}

const DEPLOYMENTS = 'microsoft.resources/deployments';

function flatten(declarations: BicepDeclaration[]): BicepDeclaration[] {
  return declarations.flatMap(d => [d, ...flatten(d.children)]);
}

function typeOf(declaration: BicepDeclaration): string {
  return foldCase(declaration.keyword === 'module' ? DEPLOYMENTS : (declaration.type ?? ''));
}

/**
 * A view of the compiled template whose positions are in the Bicep files. `read` reads a Bicep file
 * (the caller's bounded reader); a module file that cannot be read maps to its `module` line.
 */
export function mapToBicep(
  compiled: PositionedJson,
  bicepFile: string,
  read: (file: string) => string
): PositionedJson {
  const nodes = new Map<string, NodeEntry>();
  const templates = new Map<string, Mapped>();
  const parsedFiles = new Map<string, BicepFile>();
  const parse = (file: string): BicepFile | null => {
    let parsed = parsedFiles.get(file);
    if (!parsed) {
      try {
        parsed = readBicep(read(file));
      } catch {
        return null;
      }
      parsedFiles.set(file, parsed);
    }
    return parsed;
  };

  const visit = (template: Json, pointer: string, mapped: Mapped, depth: number): void => {
    templates.set(pointer, mapped);
    if (!isObject(template) || depth > 32) return;
    const resources = (template as { [key: string]: Json }).resources;
    const all = flatten(mapped.parsed.declarations);
    const entries: [string, Json, BicepDeclaration | undefined][] = [];
    if (isObject(resources)) {
      const bySymbol = new Map(all.map(d => [foldCase(d.qualifiedName), d]));
      for (const [symbol, node] of Object.entries(resources as { [key: string]: Json }))
        entries.push([joinPointer(pointer, 'resources', symbol), node, bySymbol.get(foldCase(symbol))]);
    } else if (Array.isArray(resources)) {
      // Templates without symbolic names leave out `existing` resources.
      const queues = new Map<string, BicepDeclaration[]>();
      for (const d of all.filter(d => !d.existing)) {
        const queue = queues.get(typeOf(d)) ?? [];
        queue.push(d);
        queues.set(typeOf(d), queue);
      }
      resources.forEach((node, i) => {
        const type = isObject(node) ? foldCase(String((node as { [key: string]: Json }).type ?? '')) : '';
        entries.push([joinPointer(pointer, 'resources', i), node, queues.get(type)?.shift()]);
      });
    }
    for (const [nodePointer, node, declaration] of entries) {
      if (!declaration) continue;
      nodes.set(nodePointer, { ...mapped, declaration });
      if (declaration.keyword !== 'module' || !declaration.path || !isLocalPath(declaration.path)) continue;
      const inner = isObject(node) ? (node as { [key: string]: Json }).properties : undefined;
      const innerTemplate = isObject(inner) ? (inner as { [key: string]: Json }).template : undefined;
      if (!isObject(innerTemplate)) continue;
      const moduleFile = path.resolve(path.dirname(mapped.file), declaration.path);
      const parsed = parse(moduleFile);
      if (parsed)
        visit(
          innerTemplate,
          joinPointer(nodePointer, 'properties', 'template'),
          { file: moduleFile, parsed },
          depth + 1
        );
    }
  };

  const parsedMain = parse(bicepFile) ?? { declarations: [], named: new Map(), references: [], loads: [] };
  visit(compiled.value, '', { file: bicepFile, parsed: parsedMain }, 0);

  const at = (file: string, spot: { line: number; column: number }): SourcePosition => ({
    file,
    line: spot.line,
    column: spot.column
  });

  const map = (pointer: string): SourcePosition => {
    for (let p: string | null = pointer; p !== null; p = parentPointer(p)) {
      const node = nodes.get(p);
      if (node) return inDeclaration(node, splitPointer(pointer).slice(splitPointer(p).length));
      const template = templates.get(p);
      if (template) return inTemplate(template, splitPointer(pointer).slice(splitPointer(p).length));
    }
    return { file: bicepFile, line: 1, column: 1 };
  };

  const inDeclaration = (node: NodeEntry, rest: string[]): SourcePosition => {
    const { declaration } = node;
    let segments = rest;
    if (declaration.keyword === 'module') {
      // A module's parameters are `params` in Bicep, `properties.parameters.<name>.value` compiled.
      if (rest[0] === 'properties' && rest[1] === 'parameters' && rest.length >= 3)
        segments = ['params', rest[2], ...rest.slice(4)];
      else if (rest[0] !== 'name') segments = [];
    }
    const found = segments.length ? positionInBody(declaration.body, segments) : null;
    return at(node.file, found ?? declaration.at);
  };

  const inTemplate = (template: Mapped, rest: string[]): SourcePosition => {
    const [section, name] = rest;
    if (name !== undefined && ['parameters', 'variables', 'outputs', 'functions', 'definitions'].includes(section)) {
      const named = template.parsed.named.get(foldCase(name));
      if (named) return at(template.file, named.at);
    }
    return { file: template.file, line: 1, column: 1 };
  };

  return {
    value: compiled.value,
    file: bicepFile,
    positionOf: map,
    valuePositionOf: map
  };
}
