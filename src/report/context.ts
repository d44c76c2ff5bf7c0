import { displayPath, isInsideWorkspace } from '../paths.js';
import { encodeUriComponent } from '../model/uriText.js';

/** Where a report is shown: what paths are relative to, and what links point at. */
export interface ReportContext {
  /** The repository root (`GITHUB_WORKSPACE`); paths in reports are relative to it. */
  workspace: string;
  /** `https://github.com` or a GitHub Enterprise Server URL, for links. */
  serverUrl?: string;
  /** `owner/name`, for links. */
  repository?: string;
  /** The commit links point at: the pull request's head, not the merge commit. */
  sha?: string;
}

/** A finding's file as GitHub expects it: relative to the repository root, forward slashes. */
export function repositoryPath(file: string, context: Pick<ReportContext, 'workspace'>): string {
  return displayPath(file, context.workspace);
}

/** A link to a line of a file at the context's commit, or undefined without repository and commit or outside the repository. */
export function blobUrl(file: string, line: number | null, context: ReportContext): string | undefined {
  if (!context.repository || !context.sha || !isInsideWorkspace(file, context.workspace)) return undefined;
  const server = (context.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const encoded = repositoryPath(file, context)
    .split('/')
    .map(segment =>
      encodeUriComponent(segment).replace(/[()']/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    )
    .join('/');
  return `${server}/${context.repository}/blob/${context.sha}/${encoded}${line ? `#L${line}` : ''}`;
}
