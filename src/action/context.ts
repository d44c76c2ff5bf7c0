/** What the runner tells the action about this run: from `GITHUB_*` variables and the event payload. */

export interface PullRequestInfo {
  number: number;
  headSha: string;
  baseSha: string;
  /** Head and base are different repositories: the token is read-only. */
  fromFork: boolean;
}

export interface RunContext {
  workspace: string;
  serverUrl: string;
  apiUrl?: string;
  /** `owner/name`. */
  repository?: string;
  eventName?: string;
  /** The commit findings link to and check runs attach to: the PR's head on pull requests. */
  sha?: string;
  pullRequest?: PullRequestInfo;
  /**
   * What the changes of this run are compared with, for rules about a change: the pull request's base
   * commit, or on a push the commit the branch pointed at before (none for a new branch).
   */
  baseSha?: string;
  runUrl?: string;
  summaryFile?: string;
  tempDir?: string;
}

interface PullRequestPayload {
  number?: number;
  head?: { sha?: string; repo?: { full_name?: string } | null };
  base?: { sha?: string; repo?: { full_name?: string } | null };
}

export function readRunContext(env: NodeJS.ProcessEnv, payload: Record<string, unknown>, cwd: string): RunContext {
  const pr = payload.pull_request as PullRequestPayload | undefined;
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY || undefined;
  const pullRequest =
    pr && typeof pr.number === 'number' && pr.head?.sha && pr.base?.sha
      ? {
          number: pr.number,
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
          fromFork: !!pr.head.repo?.full_name && pr.head.repo.full_name !== pr.base.repo?.full_name
        }
      : undefined;
  return {
    workspace: env.GITHUB_WORKSPACE || cwd,
    serverUrl,
    apiUrl: env.GITHUB_API_URL || undefined,
    repository,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    sha: pullRequest?.headSha ?? (env.GITHUB_SHA || undefined),
    pullRequest,
    baseSha: pullRequest?.baseSha ?? pushedFrom(payload),
    runUrl:
      repository && env.GITHUB_RUN_ID ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    summaryFile: env.GITHUB_STEP_SUMMARY || undefined,
    tempDir: env.RUNNER_TEMP || undefined
  };
}

/** The event payload the runner wrote to `GITHUB_EVENT_PATH`, or `{}` outside a workflow. */
export function readEventPayload(env: NodeJS.ProcessEnv, readFile: (file: string) => string): Record<string, unknown> {
  if (!env.GITHUB_EVENT_PATH) return {};
  try {
    const parsed = JSON.parse(readFile(env.GITHUB_EVENT_PATH)) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A push event's `before`: the commit the branch pointed at; all zeros when the push created the branch. */
function pushedFrom(payload: Record<string, unknown>): string | undefined {
  const before = payload.before;
  return typeof before === 'string' && /^[0-9a-f]{40}$/i.test(before) && !/^0+$/.test(before) ? before : undefined;
}
