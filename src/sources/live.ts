/**
 * Resources read from a live scope (Resource Graph rows): the same ARM resource JSON a
 * snapshot holds, read the same way, so a scope evaluates exactly as a snapshot of it does.
 * They have no file: findings name them by resource id.
 */
import { UserError } from '../model/errors.js';
import type { Resource } from '../model/resource.js';
import type { Json, Value } from '../model/value.js';
import { describeResource } from './snapshot.js';

export function liveResources(rows: readonly { [key: string]: Json }[], where: string): Resource[] {
  return rows.map((row, index) => {
    const described = describeResource(row);
    if (typeof described === 'string') throw new UserError(`row ${index} read from ${where} ${described}`);
    const { json, id, type, name } = described;
    const resource: Resource = { id, type, name, json: json as { [key: string]: Value }, source: null, origin: 'live' };
    if (typeof json.apiVersion === 'string') resource.apiVersion = json.apiVersion;
    return resource;
  });
}
