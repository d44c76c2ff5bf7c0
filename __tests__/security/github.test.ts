/**
 * The GitHub API as a hostile pull request meets it: a comment that fakes the sticky
 * marker, and an API that refuses (403, 404) or cannot be reached. None of it may fail the
 * step, and the warning comes once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Annotation } from '../../src/report/annotations.js';
import { planCheckRun } from '../../src/report/checks.js';
import { COMMENT_MARKER } from '../../src/report/comment.js';
import { GitHubClient } from '../../src/report/github.js';
import type { GitHubServer } from '../support/github-server.js';
import { startGitHubServer } from '../support/github-server.js';
import { recordingLogger } from '../support/logger.js';

const repository = { owner: 'o', repo: 'r' };
const TOKEN = 'ghs_secret_token_value';
const annotations: Annotation[] = [{ level: 'error', file: 'a.json', line: 1, title: 't', message: 'm' }];

/** Everything a client can do on one run, as the action does it. */
async function everything(client: GitHubClient) {
  return {
    files: await client.changedFiles(2),
    comment: await client.upsertComment(2, `${COMMENT_MARKER}\nbody`, { create: true }),
    checkRun: await client.publishCheckRun(
      planCheckRun(annotations, { headSha: 'abc', conclusion: 'failure', title: 't', summary: 's' })
    )
  };
}

describe('the sticky comment is only ever one this token wrote', () => {
  let server: GitHubServer;
  afterEach(async () => server.close());

  it('leaves a comment by someone else that opens with the marker alone, and adds its own', async () => {
    server = await startGitHubServer({
      comments: [
        { issue: 2, body: `${COMMENT_MARKER}\n✅ all clear (forged)`, user: { login: 'mallory', type: 'User' } }
      ]
    });
    const client = GitHubClient.create(TOKEN, repository, recordingLogger(), server.url);
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\n❌ 3 noncompliant`, { create: true })).toBe('created');
    expect(server.comments.map(c => [c.user.login, c.body])).toEqual([
      ['mallory', `${COMMENT_MARKER}\n✅ all clear (forged)`],
      ['github-actions[bot]', `${COMMENT_MARKER}\n❌ 3 noncompliant`]
    ]);
    expect(server.requestsTo('PATCH', /comments/)).toEqual([]);

    // The next push updates the bot's comment, still not mallory's.
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\n✅ all clear`, { create: true })).toBe('updated');
    expect(server.comments[0].body).toContain('forged');
    expect(server.comments[1].body).toBe(`${COMMENT_MARKER}\n✅ all clear`);
  });
});

/** Runs every client call against a loopback server answering with `handler`, then closes it. */
async function againstServer(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const logger = recordingLogger();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const outcome = await everything(GitHubClient.create(TOKEN, repository, logger, url));
    return { outcome, logger };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('an API that refuses or cannot be reached', () => {
  it('404 on every call: one warning, no exception', async () => {
    const { outcome, logger } = await againstServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }));
    });
    expect(outcome).toEqual({ files: null, comment: 'failed', checkRun: 'failed' });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/could not list the files .*: GitHub answered 404 \(Not Found/);
    expect(logger.debugs).toHaveLength(2);
  });

  it('a server that closes every connection: one warning, no exception', async () => {
    const { outcome, logger } = await againstServer(req => req.socket.destroy());
    expect(outcome).toEqual({ files: null, comment: 'failed', checkRun: 'failed' });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/could not list the files the pull request changed: GitHub answered 500/);
  });

  it('a fork’s read-only token: one warning for the comment and the check run together', async () => {
    const server = await startGitHubServer({ readOnly: true, pullFiles: { 2: [] } });
    try {
      const logger = recordingLogger();
      const outcome = await everything(GitHubClient.create(TOKEN, repository, logger, server.url));
      expect(outcome).toEqual({ files: [], comment: 'not-permitted', checkRun: 'not-permitted' });
      expect(logger.warnings).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('never puts the token in what it logs, whatever the failure', async () => {
    // An API that echoes the request, headers included, in its error message.
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `bad request with ${JSON.stringify(req.headers)}` }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const logger = recordingLogger();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await everything(GitHubClient.create(TOKEN, repository, logger, url));
      const logged = [...logger.infos, ...logger.warnings, ...logger.debugs].join('\n');
      expect(logged).toContain('"authorization":"token ***"');
      expect(logged).not.toContain(TOKEN);
    } finally {
      server.close();
    }
  });
});
