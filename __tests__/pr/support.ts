import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';

export const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers';

/**
 * A template resource as the expander gives it: declared at `line` of `file`, and every value's
 * position `line` plus the depth of its pointer, so tests can tell which value a finding points at.
 */
export function templateResource(
  type: string,
  name: string,
  json: Record<string, Value>,
  { file = 'main.json', line = 1, id }: { file?: string; line?: number; id?: string } = {}
): Resource {
  return {
    id: id ?? `${SUB}/${type}/${name}`,
    type,
    name,
    json: { type, name, ...json },
    source: { file, line, column: 5 },
    positionOf: pointer => ({ file, line: line + pointer.split('/').length, column: 7 }),
    origin: 'template'
  };
}
