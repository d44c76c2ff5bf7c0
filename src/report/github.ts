import { getOctokit } from '@actions/github';
import type { CheckRunPlan } from './checks.js';
import { COMMENT_MARKER } from './comment.js';
import type { Logger } from './logger.js';

/**
 * The octokit wrapper: the only code that calls GitHub's REST API. A pull request from a
 * fork gets a read-only token, so writes fail with 403; that is warned about once and
 * never fails the run, since annotations, the summary and SARIF still carry the findings.
 */

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'not-needed' | 'not-permitted' | 'failed';
export type CheckRunOutcome = { url: string } | 'not-permitted' | 'failed';

interface RequestFailure {
  status: number;
  message: string;
}

function requestFailure(error: unknown): RequestFailure | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number') {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
  return undefined;
}

/** A comment as listIssueComments returns it: who wrote it matters, not only what it says. */
interface ListedComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login: string; type: string } | null;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  // An error body can be anything a proxy sends back: a line of it is enough to say what went wrong.
  return line.length <= 300 ? line : `${line.slice(0, 300)}…`;
}

/** How long one API call may take, and how large one answer may be, before it counts as failed. */
export const API_TIMEOUT_MS = 30_000;
export const API_MAX_BYTES = 16 * 1024 * 1024;
/** Pages read from a list (100 items each): GitHub lists at most 3,000 files of a pull request. */
export const API_MAX_PAGES = 50;
/** The most files GitHub lists for a pull request ("Responses include a maximum of 3000 files"). */
const PULL_FILES_MAX = 3000;

/**
 * `fetch` for octokit with a deadline for the whole exchange (headers and body) and a cap on the
 * body: a server that stalls, trickles or sends without end ends in an error instead of a hang.
 */
export function boundedFetch(timeoutMs = API_TIMEOUT_MS, maxBytes = API_MAX_BYTES): typeof fetch {
  return async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const response = await fetch(input, { ...init, signal });
    const tooLarge = () => new Error(`GitHub's answer is larger than ${maxBytes} bytes`);
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          throw tooLarge();
        }
        chunks.push(value);
      }
    }
    const empty = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(empty ? null : Buffer.concat(chunks, total), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers
    });
  };
}

/** Items of one page of a list, or an error when GitHub's answer is not a list of objects. */
function listItems<T>(data: unknown, what: string, valid: (item: Record<string, unknown>) => boolean): T[] {
  if (!Array.isArray(data) || !data.every(item => typeof item === 'object' && item !== null && valid(item))) {
    throw new Error(`GitHub's answer to ${what} is not the list it should be`);
  }
  return data as T[];
}

export class GitHubClient {
  private warned = false;
  private login: Promise<string | null> | undefined;

  constructor(
    private readonly octokit: Octokit,
    private readonly repository: Repository,
    private readonly logger: Logger,
    /** Cut from anything logged: an API or proxy error can echo the request it refused. */
    private readonly token?: string
  ) {}

  static create(
    token: string,
    repository: Repository,
    logger: Logger,
    baseUrl?: string,
    limits: { timeoutMs?: number; maxBytes?: number } = {}
  ): GitHubClient {
    const request = { fetch: boundedFetch(limits.timeoutMs, limits.maxBytes) };
    return new GitHubClient(getOctokit(token, baseUrl ? { baseUrl, request } : { request }), repository, logger, token);
  }

  /**
   * Updates the comment that starts with the marker, or creates one. `body` may be a function
   * of the comment as it stands (to keep the parts other steps wrote). With `create: false`
   * (nothing to report) a missing comment stays missing: an "all clear" is only news to a
   * pull request that was told otherwise.
   */
  async upsertComment(
    issueNumber: number,
    body: string | ((existing: string | undefined) => string),
    options: { create: boolean }
  ): Promise<CommentOutcome> {
    return this.attempt('comment on the pull request', async () => {
      let pages = 0;
      const comments = await this.octokit.paginate(
        this.octokit.rest.issues.listComments,
        { ...this.repository, issue_number: issueNumber, per_page: 100 },
        (response, done) => {
          if (++pages >= API_MAX_PAGES) done();
          return listItems<ListedComment>(response.data, 'listing comments', c => typeof c.id === 'number');
        }
      );
      const existing = await this.ownComment(comments);
      const text = typeof body === 'string' ? body : body(existing?.body);
      if (existing) {
        if (existing.body === text) return 'unchanged';
        await this.octokit.rest.issues.updateComment({ ...this.repository, comment_id: existing.id, body: text });
        this.logger.info(`Updated the pull request comment ${existing.html_url}`);
        return 'updated';
      }
      if (!options.create) return 'not-needed';
      const created = await this.octokit.rest.issues.createComment({
        ...this.repository,
        issue_number: issueNumber,
        body: text
      });
      this.logger.info(`Commented on the pull request: ${created.data.html_url}`);
      return 'created';
    });
  }

  /** Creates the check run with the first 50 annotations and appends the rest 50 at a time. */
  async publishCheckRun(plan: CheckRunPlan): Promise<CheckRunOutcome> {
    return this.attempt('publish the check run with every annotation', async () => {
      const [first = [], ...rest] = plan.batches;
      const output = { title: plan.title, summary: plan.summary };
      const created = await this.octokit.rest.checks.create({
        ...this.repository,
        name: plan.name,
        head_sha: plan.headSha,
        status: 'completed',
        conclusion: plan.conclusion,
        output: { ...output, annotations: first }
      });
      for (const batch of rest) {
        await this.octokit.rest.checks.update({
          ...this.repository,
          check_run_id: created.data.id,
          output: { ...output, annotations: batch }
        });
      }
      this.logger.info(`Published check run ${created.data.html_url ?? created.data.id} with every annotation.`);
      return { url: created.data.html_url ?? '' };
    });
  }

  /** Files the pull request adds or changes (not removed ones), or null when they cannot be listed. */
  async changedFiles(pullNumber: number): Promise<string[] | null> {
    const result = await this.attempt('list the files the pull request changed', async () => {
      let pages = 0;
      const files = await this.octokit.paginate(
        this.octokit.rest.pulls.listFiles,
        { ...this.repository, pull_number: pullNumber, per_page: 100 },
        (response, done) => {
          if (++pages >= API_MAX_PAGES) done();
          return listItems<{ filename: string; status: string; previous_filename?: unknown }>(
            response.data,
            'listing the changed files',
            f => typeof f.filename === 'string'
          );
        }
      );
      // GitHub lists at most 3,000 files: a longer list is cut, and a finding in a file past the cut would be left
      // out as "not changed" (a pull request could add 3,000 files that sort before its template).
      if (files.length >= PULL_FILES_MAX) {
        this.logger.info(
          `The pull request changes ${PULL_FILES_MAX} files or more, and GitHub lists at most ${PULL_FILES_MAX}: every file is reported on.`
        );
        return null;
      }
      // A file removed, or renamed away from its old name, is a change too: a template that read it (its parameter
      // file, a linked template) now deploys otherwise, and is reported on.
      return files.flatMap(file =>
        typeof file.previous_filename === 'string' && file.previous_filename !== ''
          ? [file.filename, file.previous_filename]
          : [file.filename]
      );
    });
    return Array.isArray(result) ? result : null;
  }

  /**
   * The sticky comment: the first that opens with the marker and that this token wrote.
   * Anyone can post a comment that opens with the marker; updating theirs would put the
   * verdict under their name, where they could edit it to read "all clear". The Actions
   * token comments as a bot; another token (a personal one) as its own user.
   */
  private async ownComment(comments: ListedComment[]): Promise<ListedComment | undefined> {
    const marked = comments.filter(comment => comment.body?.startsWith(COMMENT_MARKER));
    const byBot = marked.find(comment => comment.user?.type === 'Bot');
    if (byBot || !marked.length) return byBot;
    const login = await this.authenticatedLogin();
    return login === null ? undefined : marked.find(comment => comment.user?.login === login);
  }

  /** Who the token is, or null when it cannot say (the Actions token cannot read `/user`). */
  private authenticatedLogin(): Promise<string | null> {
    this.login ??= this.octokit.rest.users.getAuthenticated().then(
      response => response.data.login,
      () => null
    );
    return this.login;
  }

  private redact(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }

  /**
   * Runs one API call. Whatever stops it — a fork's read-only token (403), a missing pull
   * request (404), GitHub unreachable (octokit reports a network error as 500) — is
   * warned about once per run and never fails the step: annotations, the summary and
   * SARIF carry the findings without the API.
   */
  private async attempt<T>(what: string, action: () => Promise<T>): Promise<T | 'not-permitted' | 'failed'> {
    try {
      return await action();
    } catch (error) {
      // Whatever GitHub (or a proxy) sends — an error, a stall, a malformed, truncated or huge
      // answer — ends here as one warning: the findings are already in the other reports.
      const failure = requestFailure(error);
      const readOnly = failure?.status === 403;
      const why = readOnly
        ? 'the token may not write to this repository (a pull request from a fork gets a read-only token)'
        : failure
          ? `GitHub answered ${failure.status} (${this.redact(oneLine(failure.message))})`
          : `GitHub's answer could not be used (${this.redact(oneLine(error instanceof Error ? error.message : String(error)))})`;
      if (!this.warned) {
        this.warned = true;
        this.logger.warning(
          `cmk-guard could not ${what}: ${why}. Annotations, the job summary and SARIF still have every finding.`
        );
      } else {
        this.logger.debug(`Also could not ${what}: ${why}.`);
      }
      return readOnly ? 'not-permitted' : 'failed';
    }
  }
}
