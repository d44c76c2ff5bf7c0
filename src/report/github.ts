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
  return text.replace(/\s+/g, ' ').trim();
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

  static create(token: string, repository: Repository, logger: Logger, baseUrl?: string): GitHubClient {
    return new GitHubClient(getOctokit(token, baseUrl ? { baseUrl } : {}), repository, logger, token);
  }

  /**
   * Updates the comment that starts with the marker, or creates one. With `create: false`
   * (nothing to report) a missing comment stays missing: an "all clear" is only news to a
   * pull request that was told otherwise.
   */
  async upsertComment(issueNumber: number, body: string, options: { create: boolean }): Promise<CommentOutcome> {
    return this.attempt('comment on the pull request', async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...this.repository,
        issue_number: issueNumber,
        per_page: 100
      });
      const existing = await this.ownComment(comments);
      if (existing) {
        if (existing.body === body) return 'unchanged';
        await this.octokit.rest.issues.updateComment({ ...this.repository, comment_id: existing.id, body });
        this.logger.info(`Updated the pull request comment ${existing.html_url}`);
        return 'updated';
      }
      if (!options.create) return 'not-needed';
      const created = await this.octokit.rest.issues.createComment({
        ...this.repository,
        issue_number: issueNumber,
        body
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
      const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        ...this.repository,
        pull_number: pullNumber,
        per_page: 100
      });
      return files.filter(file => file.status !== 'removed').map(file => file.filename);
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
      const failure = requestFailure(error);
      if (!failure) throw error;
      const readOnly = failure.status === 403;
      const why = readOnly
        ? 'the token may not write to this repository (a pull request from a fork gets a read-only token)'
        : `GitHub answered ${failure.status} (${this.redact(oneLine(failure.message))})`;
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
