import type { Annotation } from '../../src/report/annotations.js';
import { planCheckRun } from '../../src/report/checks.js';
import { COMMENT_MARKER } from '../../src/report/comment.js';
import { GitHubClient } from '../../src/report/github.js';
import type { GitHubServer } from '../support/github-server.js';
import { startGitHubServer } from '../support/github-server.js';
import { recordingLogger } from '../support/logger.js';

const repository = { owner: 'Codertocat', repo: 'Hello-World' };

describe('GitHubClient against a GitHub API on loopback', () => {
  let server: GitHubServer;
  afterEach(async () => server.close());

  it('creates the sticky comment once, then updates it in place and leaves other comments alone', async () => {
    server = await startGitHubServer({
      comments: [
        { issue: 2, body: 'LGTM', user: { login: 'octocat', type: 'User' } },
        // A reviewer quoting the comment must not be taken for it: the marker has to open the body.
        { issue: 2, body: `> ${COMMENT_MARKER}\n> quoted`, user: { login: 'octocat', type: 'User' } }
      ]
    });
    const logger = recordingLogger();
    const client = GitHubClient.create('t0ken', repository, logger, server.url);

    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nfirst`, { create: true })).toBe('created');
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nsecond`, { create: true })).toBe('updated');
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nsecond`, { create: true })).toBe('unchanged');

    const ours = server.comments.filter(c => c.body.startsWith(COMMENT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toBe(`${COMMENT_MARKER}\nsecond`);
    expect(server.comments.map(c => c.body)).toContain('LGTM');
    expect(server.requestsTo('POST', /\/issues\/2\/comments$/)).toHaveLength(1);
    expect(server.requestsTo('PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(1);
    expect(server.requests[0].headers.authorization).toBe('token t0ken');
    expect(logger.warnings).toEqual([]);
  });

  it('does not create an all-clear comment on a pull request that never had one', async () => {
    server = await startGitHubServer();
    const client = GitHubClient.create('t', repository, recordingLogger(), server.url);
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nall clear`, { create: false })).toBe('not-needed');
    expect(server.comments).toEqual([]);
  });

  it('finds its comment on a later page of a long conversation', async () => {
    const chatter = Array.from({ length: 130 }, (_, i) => ({
      issue: 2,
      body: `comment ${i}`,
      user: { login: 'u', type: 'User' }
    }));
    server = await startGitHubServer({
      comments: [...chatter, { issue: 2, body: `${COMMENT_MARKER}\nold`, user: { login: 'b', type: 'Bot' } }]
    });
    const client = GitHubClient.create('t', repository, recordingLogger(), server.url);
    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nnew`, { create: true })).toBe('updated');
    expect(server.requestsTo('GET', /\/issues\/2\/comments$/).map(r => r.query.page ?? '1')).toEqual(['1', '2']);
  });

  it('on a read-only token (a fork) warns once, then carries on without throwing', async () => {
    server = await startGitHubServer({ readOnly: true });
    const logger = recordingLogger();
    const client = GitHubClient.create('t', repository, logger, server.url);
    const annotations: Annotation[] = Array.from({ length: 3 }, (_, i) => ({
      level: 'error',
      file: 'a.json',
      line: i + 1,
      title: 't',
      message: 'm'
    }));

    expect(await client.upsertComment(2, `${COMMENT_MARKER}\nx`, { create: true })).toBe('not-permitted');
    expect(
      await client.publishCheckRun(
        planCheckRun(annotations, { headSha: 'abc', conclusion: 'failure', title: 't', summary: 's' })
      )
    ).toBe('not-permitted');
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('could not comment on the pull request');
    expect(logger.warnings[0]).toContain('read-only token');
    expect(logger.debugs.join('\n')).toContain('check run');
  });

  it('publishes a check run with the first 50 annotations and appends the rest 50 at a time', async () => {
    server = await startGitHubServer();
    const client = GitHubClient.create('t', repository, recordingLogger(), server.url);
    const annotations: Annotation[] = Array.from({ length: 120 }, (_, i) => ({
      level: i % 2 ? 'warning' : 'error',
      file: `templates/t${i}.json`,
      line: i + 1,
      title: `rule ${i}`,
      message: `finding ${i}`
    }));
    const outcome = await client.publishCheckRun(
      planCheckRun(annotations, {
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        conclusion: 'failure',
        title: 'cmk-guard',
        summary: 'all of them'
      })
    );
    expect(outcome).toEqual({ url: expect.stringMatching(/\/runs\/\d+$/) });
    const create = server.requestsTo('POST', /\/check-runs$/);
    const updates = server.requestsTo('PATCH', /\/check-runs\/\d+$/);
    expect(create).toHaveLength(1);
    expect(updates).toHaveLength(2);
    const sizes = [...create, ...updates].map(
      r => (r.body as { output: { annotations: unknown[] } }).output.annotations.length
    );
    expect(sizes).toEqual([50, 50, 20]);
    expect(create[0].body).toMatchObject({
      name: 'cmk-guard',
      head_sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      status: 'completed',
      conclusion: 'failure'
    });
    expect(server.checkRuns[0].annotations).toHaveLength(120);
    expect(server.checkRuns[0].annotations[119]).toMatchObject({
      path: 'templates/t119.json',
      start_line: 120,
      annotation_level: 'warning'
    });
  });

  it('lists the files a pull request changes across pages, those it removes and the old names of those it renames', async () => {
    const files = Array.from({ length: 205 }, (_, i) => ({ filename: `t/${i}.json`, status: 'modified' as const }));
    server = await startGitHubServer({
      pullFiles: {
        2: [
          ...files,
          { filename: 'gone.json', status: 'removed' },
          { filename: 'new-name.json', status: 'renamed', previous_filename: 'old-name.json' }
        ]
      }
    });
    const client = GitHubClient.create('t', repository, recordingLogger(), server.url);
    const changed = await client.changedFiles(2);
    expect(changed).toHaveLength(208);
    expect(changed?.slice(205)).toEqual(['gone.json', 'new-name.json', 'old-name.json']);
    expect(server.requestsTo('GET', /\/pulls\/2\/files$/)).toHaveLength(3);
  });

  it('answers null when the pull request changes more files than GitHub lists (3,000): every file is then reported on', async () => {
    // A pull request could add 3,000 files that sort first, and a noncompliant template after them: a list cut
    // at 3,000 would leave the template's findings out as "not changed".
    const files = Array.from({ length: 3_001 }, (_, i) => ({ filename: `a/${i}.txt`, status: 'added' as const }));
    server = await startGitHubServer({ pullFiles: { 2: files } });
    const logger = recordingLogger();
    const client = GitHubClient.create('t', repository, logger, server.url);
    expect(await client.changedFiles(2)).toBeNull();
    expect(logger.infos.join('\n')).toMatch(/changes 3000 files or more.*GitHub lists at most 3000/);
    await server.close();
    server = await startGitHubServer({ pullFiles: { 2: files.slice(0, 2_999) } });
    const under = GitHubClient.create('t', repository, recordingLogger(), server.url);
    expect(await under.changedFiles(2)).toHaveLength(2_999);
  });

  it('answers null, with a warning, when the files cannot be listed', async () => {
    server = await startGitHubServer();
    const logger = recordingLogger();
    const client = GitHubClient.create('t', repository, logger, server.url);
    expect(await client.changedFiles(99)).toBeNull();
    expect(logger.warnings[0]).toContain('GitHub answered 404');
  });
});
