/**
 * Where a template is deployed from, and the templates it links to by URI.
 *
 * A template deployed from a URI sees that URI as `deployment().properties.templateLink.uri`, and
 * quickstarts link their nested templates beside it: "use deployment() to get the base URL for the
 * current template, and use that to get the URL for other templates in the same location"
 * (`uri(deployment().properties.templateLink.uri, 'nested/x.json')`, or through an
 * `_artifactsLocation` parameter whose default is that URI); with `relativePath`, "the child
 * deployment URI is a combination of the parent and relativePath".
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates
 *
 * The repository stands for the place the templates are published: a template's URI is
 * `https://repository.invalid/<its path in the repository>` (`.invalid` is reserved and never
 * resolves, RFC 2606), URI functions work on it as on any URI, and a link that lands on that host
 * names the file beside the template. URI arithmetic cannot climb above the host's root, so such a
 * link stays inside the repository by construction (and is still confined after symbolic links).
 * Any other absolute URI is somewhere cmk-guard does not go: no network. In a resource's
 * properties the URI is what ARM only knows at deployment, so it becomes an unknown there.
 */
import * as path from 'node:path';
import { decodeUriComponent, encodeUriComponent } from '../../model/uriText.js';
import { Unknown, isObject, setOwn, type Value } from '../../model/value.js';

const HOST = 'repository.invalid';
const ORIGIN = `https://${HOST}`;

/** The root a template's URI is relative to: the repository, or the file system's root outside one. */
export function uriRoot(file: string, boundary: string | undefined): string {
  return boundary ?? path.parse(path.resolve(file)).root;
}

/** The URI `file` is deployed from. */
export function templateUri(file: string, root: string): string {
  const relative = path.relative(root, path.resolve(file)).split(path.sep).map(encodeUriComponent).join('/');
  return `${ORIGIN}/${relative}`;
}

export type LinkTarget =
  | { kind: 'file'; file: string }
  /** An absolute URI elsewhere (a storage account, GitHub): not fetched. */
  | { kind: 'remote'; uri: string };

/**
 * What a `templateLink.uri` (or `parametersLink.uri`) names: a file of the repository when it is a
 * URI on the repository's host or a relative reference (resolved against `baseUri`, the linking
 * template's own URI), else a remote URI. A query string (`?` and a SAS token) is not part of the file.
 */
export function linkTarget(uri: string, baseUri: string, root: string): LinkTarget {
  let url: URL;
  try {
    url = new URL(uri, baseUri);
  } catch {
    return { kind: 'remote', uri };
  }
  if (url.host.toLowerCase() !== HOST) return { kind: 'remote', uri };
  const segments = url.pathname.split('/').filter(Boolean).map(decodeUriComponent);
  return { kind: 'file', file: path.join(root, ...segments) };
}

/** Whether a string holds a repository URI, which ARM knows only at deployment. */
const HOLDS_HOST = new RegExp(HOST.replace(/\./g, '\\.'), 'i');

function holdsTemplateUri(text: string): boolean {
  return HOLDS_HOST.test(text);
}

/**
 * A value with every string that holds a repository URI replaced by an unknown: the URI the
 * template is deployed from is not a value the template fixes. Objects and arrays are copied only
 * where something changes (they may be a variable's value, read again elsewhere).
 */
export function hideTemplateUris(value: Value, baseUri: string): Value {
  if (typeof value === 'string') {
    if (!holdsTemplateUri(value)) return value;
    // Shown relative to the template that holds it: `../scripts/setup.sh`.
    const from = path.posix.dirname(new URL(baseUri).pathname);
    const shown = value.replace(/https:\/\/repository\.invalid(\/[^\s?#'"]*)/gi, (_, p: string) => {
      const relative = path.posix.relative(from, p);
      return decodeUriComponent(relative || path.posix.basename(p));
    });
    return new Unknown(
      `a URI beside the template (${shown}), known once the template is deployed from where it is published`,
      `templatelink:${value.toLowerCase()}`
    );
  }
  if (Array.isArray(value)) {
    let items: Value[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const hidden = hideTemplateUris(value[i], baseUri);
      if (hidden === value[i]) continue;
      items ??= value.slice();
      items[i] = hidden;
    }
    return items ?? value;
  }
  if (isObject(value)) {
    let copy: { [key: string]: Value } | undefined;
    for (const key in value) {
      const hidden = hideTemplateUris(value[key], baseUri);
      if (hidden === value[key]) continue;
      if (!copy) {
        copy = {};
        for (const k of Object.keys(value)) setOwn(copy, k, value[k]);
      }
      setOwn(copy, key, hidden);
    }
    return copy ?? value;
  }
  return value;
}
