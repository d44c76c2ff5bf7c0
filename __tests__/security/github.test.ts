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
async function againstServer(
  handler: Parameters<typeof createServer>[1],
  limits: Parameters<typeof GitHubClient.create>[4] = {}
) {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const logger = recordingLogger();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const outcome = await everything(GitHubClient.create(TOKEN, repository, logger, url, limits));
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

describe('answers that are malformed, truncated, huge or never come', () => {
  const json = (res: import('node:http').ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  };

  it.each([
    ['truncated JSON', '[{"id": 1, "body": "<!-- cmk-guard'],
    ['an object where a list belongs', '{"message": "not a list"}'],
    ['a list of the wrong things', '[1, "two", null]'],
    ['not JSON at all', '::error::<html>proxy error</html>']
  ])('%s: one warning, no exception, nothing written', async (_name, body) => {
    const { outcome, logger } = await againstServer((req, res) => {
      req.resume();
      if (req.method === 'GET') json(res, 200, body);
      else json(res, 201, '{"id": 7, "html_url": "https://github.com/o/r/pull/2#c7"}');
    });
    expect(outcome.files).toBeNull();
    expect(outcome.comment).toBe('failed');
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/^cmk-guard could not list the files the pull request changed: GitHub's answer/);
  });

  it('an answer larger than the cap is cut off, declared or not', async () => {
    for (const declared of [true, false]) {
      const { outcome, logger } = await againstServer(
        (req, res) => {
          req.resume();
          const body = `[${Array(5000).fill('{"filename": "a.json", "status": "added"}').join(',')}]`;
          res.writeHead(200, {
            'content-type': 'application/json',
            ...(declared ? { 'content-length': Buffer.byteLength(body) } : {})
          });
          res.end(body);
        },
        { maxBytes: 10_000 }
      );
      expect(outcome).toEqual({ files: null, comment: 'failed', checkRun: 'failed' });
      expect(logger.warnings[0]).toMatch(/larger than 10000 bytes/);
    }
  });

  it('a server that never answers, or trickles forever, ends at the deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    for (const trickle of [false, true]) {
      const { outcome, logger } = await againstServer(
        (req, res) => {
          req.resume();
          if (!trickle) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('[');
          timers.push(setInterval(() => res.write(' '), 20));
        },
        { timeoutMs: 300 }
      );
      expect(outcome).toEqual({ files: null, comment: 'failed', checkRun: 'failed' });
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/GitHub answered 500|could not be used/);
    }
    for (const timer of timers) clearInterval(timer);
  });

  it('an error body of any size is logged as one short line, without the token', async () => {
    const { logger } = await againstServer((req, res) => {
      req.resume();
      json(res, 500, JSON.stringify({ message: `${TOKEN} ${'x'.repeat(100_000)}\n::error::injected` }));
    });
    expect(logger.warnings[0].length).toBeLessThan(600);
    expect(logger.warnings[0]).not.toContain(TOKEN);
    expect(logger.warnings[0]).not.toContain('\n');
  });
});
