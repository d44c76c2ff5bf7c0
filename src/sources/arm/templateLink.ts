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
 * The repository stands for the folder the templates are published in: a template's URI is
 * `https://repository.invalid/repository-root/<its path in the repository>` (`.invalid` is reserved
 * and never resolves, RFC 2606), URI functions work on it as on any URI, and a link that lands in that
 * folder names the file beside the template. One that climbs above it (`uri(…, '../../x.json')` from a
 * template one folder down) or starts at the host's root (`/x.json`) names something else where the
 * templates are published, never a file of the repository: it is answered as `outside`, and refused at
 * the link, rather than read as the file URI arithmetic would clamp it to. A link inside is still
 * confined after symbolic links. Any other absolute URI is somewhere cmk-guard does not go: no network.
 * In a resource's properties the URI is what ARM only knows at deployment, so it becomes an unknown there.
 */
import * as path from 'node:path';
import { decodeUriComponent, encodeUriComponent } from '../../model/uriText.js';
import { Unknown, isObject, setOwn, type Value } from '../../model/value.js';
import { foldCase } from '../../model/foldCase.js';

const HOST = 'repository.invalid';
const ORIGIN = `https://${HOST}`;
/** The first segment of a repository URI's path: the folder the repository is published as, which climbing drops. */
const ROOT_SEGMENT = 'repository-root';

/** The root a template's URI is relative to: the repository, or the file system's root outside one. */
export function uriRoot(file: string, boundary: string | undefined): string {
  return boundary ?? path.parse(path.resolve(file)).root;
}

/** The URI `file` is deployed from. */
export function templateUri(file: string, root: string): string {
  const relative = path.relative(root, path.resolve(file)).split(path.sep).map(encodeUriComponent).join('/');
  return `${ORIGIN}/${ROOT_SEGMENT}/${relative}`;
}

export type LinkTarget =
  | { kind: 'file'; file: string }
  /** An absolute URI elsewhere (a storage account, GitHub): not fetched. */
  | { kind: 'remote'; uri: string }
  /**
   * On the repository's host but above the folder it is published as: not a file of the repository. `file`
   * is the path a reference written relative to the template names, where one can be told (`relativePath`);
   * `shown` is the URI's path as the template sees it, relative to its folder (`../../x.json`).
   */
  | { kind: 'outside'; file?: string; shown: string };

/** A URI on the repository's host: the file of the repository it names, or `outside` when it names none. */
function repositoryFile(url: URL, baseUri: string, root: string): LinkTarget {
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[0] === ROOT_SEGMENT)
    return { kind: 'file', file: path.join(root, ...segments.slice(1).map(decodeUriComponent)) };
  const from = path.posix.dirname(new URL(baseUri).pathname);
  return { kind: 'outside', shown: decodeUriComponent(path.posix.relative(from, url.pathname)) };
}

/**
 * What a `templateLink.uri` (or `parametersLink.uri`) names: a file of the repository when it is a
 * URI in the folder the repository is published as, or a relative reference (resolved against
 * `baseUri`, the linking template's own URI), that stays in it; `outside` when it climbs above it; else
 * a remote URI. A query string (`?` and a SAS token) is not part of the file.
 */
export function linkTarget(uri: string, baseUri: string, root: string): LinkTarget {
  let url: URL;
  try {
    url = new URL(uri, baseUri);
  } catch {
    return { kind: 'remote', uri };
  }
  if (foldCase(url.host) !== HOST) return { kind: 'remote', uri };
  return repositoryFile(url, baseUri, root);
}

/**
 * What a `templateLink.relativePath` names. ARM combines it with the URI of the template that holds
 * it: "the child deployment URI is a combination of the parent and relativePath", a relative URI
 * reference resolved as URIs are (RFC 3986 section 5.2; WHATWG URL for https), so `\` separates
 * segments as `/` does, `%41` is `A`, `.` and `..` segments are resolved, and `?` starts a query
 * string that is not part of the file. A reference that climbs above the repository's folder
 * (`../../x.json` from a template one folder down) or starts at the host's root (`/x.json`) is
 * answered as `outside`, with the path it names beside the template, which the caller refuses
 * (confine) as any path outside the repository.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#use-relative-path-for-linked-templates
 */
export function relativeLinkTarget(
  relativePath: string,
  baseUri: string,
  root: string,
  parentFile: string
): LinkTarget {
  let url: URL;
  try {
    url = new URL(relativePath, baseUri);
  } catch {
    return { kind: 'remote', uri: relativePath };
  }
  if (url.host.toLowerCase() !== HOST) return { kind: 'remote', uri: relativePath };
  const target = repositoryFile(url, baseUri, root);
  if (target.kind !== 'outside') return target;
  const written = relativePath.split(/[\\/]/).map(decodeUriComponent);
  const from = /^[\\/]/.test(relativePath) ? path.parse(path.resolve(root)).root : path.dirname(parentFile);
  return { ...target, file: path.resolve(from, ...written) };
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
      `templatelink:${foldCase(value)}`
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
