/**
 * A GitHub REST API on loopback for tests: the real @actions/github client (in-process or
 * in a child process via GITHUB_API_URL) talks to it over HTTP. It records every request
 * and keeps issue comments, check runs and pull request files in memory, paginating
 * with `Link` headers as GitHub does. `readOnly` answers every write with the 403 a
 * fork's token gets.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path without the query, e.g. `/repos/o/r/issues/2/comments`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

export interface StoredCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status?: string;
  conclusion?: string;
  output: { title?: string; summary?: string };
  /** Every annotation sent, appended across create and updates as GitHub does. */
  annotations: unknown[];
  html_url: string;
}

export interface PullFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  /** The old name of a renamed file. */
  previous_filename?: string;
}

export interface GitHubServerOptions {
  /** Answer POST, PATCH, PUT and DELETE with 403, as for a pull request from a fork. */
  readOnly?: boolean;
  /** Files per pull request number, for `GET /repos/{o}/{r}/pulls/{n}/files`. */
  pullFiles?: Record<number, PullFile[]>;
  /** Comments already on issues, e.g. someone else's. */
  comments?: Omit<StoredComment, 'id' | 'html_url'>[];
}

export interface GitHubServer {
  url: string;
  requests: RecordedRequest[];
  comments: StoredComment[];
  checkRuns: StoredCheckRun[];
  options: GitHubServerOptions;
  /** The recorded requests with this method whose path matches. */
  requestsTo(method: string, pathPattern: RegExp): RecordedRequest[];
  close(): Promise<void>;
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  let nextId = 1000;
  const requests: RecordedRequest[] = [];
  const comments: StoredComment[] = [];
  const checkRuns: StoredCheckRun[] = [];
  let origin = '';

  const commentUrl = (owner: string, repo: string, issue: number, id: number) =>
    `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`;
  for (const comment of options.comments ?? []) {
    const id = nextId++;
    comments.push({ ...comment, id, html_url: `https://github.com/comment/${id}` });
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const paginate = (res: ServerResponse, url: URL, items: unknown[]) => {
    const perPage = Math.max(1, Math.min(100, Number(url.searchParams.get('per_page') ?? 30)));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      headers.link = `<${origin}${next.pathname}${next.search}>; rel="next"`;
    }
    send(res, 200, slice, headers);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', origin);
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = req.method ?? 'GET';
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body
    });

    if (method !== 'GET' && options.readOnly) {
      send(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
        status: '403'
      });
      return;
    }
    const input = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const [, owner, repo, issueText] = m;
      const issue = Number(issueText);
      if (method === 'GET')
        return paginate(
          res,
          url,
          comments.filter(c => c.issue === issue)
        );
      if (method === 'POST') {
        const id = nextId++;
        const comment: StoredComment = {
          id,
          issue,
          body: String(input.body),
          html_url: commentUrl(owner, repo, issue, id),
          user: { login: 'github-actions[bot]', type: 'Bot' }
        };
        comments.push(comment);
        return send(res, 201, comment);
      }
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) && method === 'PATCH') {
      const comment = comments.find(c => c.id === Number(m![1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      comment.body = String(input.body);
      return send(res, 200, comment);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(url.pathname)) && method === 'POST') {
      const id = nextId++;
      const output = (input.output ?? {}) as { title?: string; summary?: string; annotations?: unknown[] };
      const run: StoredCheckRun = {
        id,
        name: String(input.name),
        head_sha: String(input.head_sha),
        status: input.status as string | undefined,
        conclusion: input.conclusion as string | undefined,
        output: { title: output.title, summary: output.summary },
        annotations: [...(output.annotations ?? [])],
        html_url: `https://github.com/${m[1]}/${m[2]}/runs/${id}`
      };
      checkRuns.push(run);
      return send(res, 201, run);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(url.pathname)) && method === 'PATCH') {
      const run = checkRuns.find(r => r.id === Number(m![1]));
      if (!run) return send(res, 404, { message: 'Not Found' });
      const output = (input.output ?? {}) as { title?: string; summary?: string; annotations?: unknown[] };
      run.output = { title: output.title ?? run.output.title, summary: output.summary ?? run.output.summary };
      run.annotations.push(...(output.annotations ?? []));
      return send(res, 200, run);
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/.exec(url.pathname)) && method === 'GET') {
      const files = options.pullFiles?.[Number(m[1])];
      if (!files) return send(res, 404, { message: 'Not Found' });
      // "Responses include a maximum of 3000 files" (REST API, List pull requests files).
      return paginate(
        res,
        url,
        files.slice(0, 3000).map((f, i) => ({
          sha: `${i}`.padStart(40, '0'),
          filename: f.filename,
          status: f.status,
          ...(f.previous_filename === undefined ? {} : { previous_filename: f.previous_filename }),
          additions: 1,
          deletions: 0,
          changes: 1
        }))
      );
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk as Buffer));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    requests,
    comments,
    checkRuns,
    options,
    requestsTo: (method, pattern) => requests.filter(r => r.method === method && pattern.test(r.path)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      })
  };
}
