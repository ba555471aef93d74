import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import { call } from './harness';
import { createUser, type TestUser } from './users';

// Helpers for the video tests: accounts on a roster, sessions, real uploads through presigned URLs.

/** A Coach Pro Plus coach with `players` active players on the roster. */
export async function coachWithPlayers(
  app: App,
  deps: Deps,
  players = 1,
): Promise<{ coach: TestUser; players: TestUser[] }> {
  const coach = await createUser(app, deps, 'coach_pro_plus', 'coach');
  const list: TestUser[] = [];
  for (let i = 0; i < players; i++) {
    const player = await createUser(app, deps, 'free', 'player');
    const invite = await call(app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: player.email },
    });
    if (invite.status !== 201)
      throw new Error(`invite failed: ${invite.status} ${JSON.stringify(invite.body)}`);
    const accept = await call(app, 'POST', `/api/me/coaches/${coach.id}/accept`, { token: player.token });
    if (accept.status !== 200)
      throw new Error(`accept failed: ${accept.status} ${JSON.stringify(accept.body)}`);
    list.push(player);
  }
  return { coach, players: list };
}

export async function createSession(app: App, token: string, body: Record<string, unknown> = {}) {
  const res = await call(app, 'POST', '/api/coaches/plus/sessions', {
    token,
    body: { title: 'Batting nets', notes: 'Front foot drive', ...body },
  });
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; player_ids: string[]; status: string };
}

export interface StartedUpload {
  video: { id: string; status: string };
  upload: {
    part_size: number;
    part_count: number;
    parts: { part_number: number; size: number; url: string }[];
    uploaded: unknown[];
  };
}

export async function startUpload(
  app: App,
  token: string,
  sessionId: string,
  file: { filename?: string; contentType?: string; size: number },
) {
  return call(app, 'POST', `/api/coaches/plus/sessions/${sessionId}/videos/upload`, {
    token,
    body: {
      filename: file.filename ?? 'nets.mp4',
      content_type: file.contentType ?? 'video/mp4',
      size_bytes: file.size,
    },
  });
}

/** PUTs the given parts of `bytes` to their presigned URLs, straight to S3; returns the ETags. */
export async function putParts(
  bytes: Buffer,
  partSize: number,
  parts: { part_number: number; url: string }[],
) {
  const etags: { part_number: number; etag: string }[] = [];
  for (const p of parts) {
    const chunk = bytes.subarray((p.part_number - 1) * partSize, p.part_number * partSize);
    const res = await fetch(p.url, { method: 'PUT', body: chunk });
    if (res.status !== 200)
      throw new Error(`part ${p.part_number} PUT failed: ${res.status} ${await res.text()}`);
    etags.push({ part_number: p.part_number, etag: res.headers.get('etag')! });
  }
  return etags;
}

/** The whole client side of an upload: initiate, PUT every part, complete. */
export async function uploadFile(
  app: App,
  token: string,
  sessionId: string,
  path: string,
  opts: {
    filename?: string;
    contentType?: string;
    declaredSize?: number;
    /**
     * Puts the single part some other way than its URL (which takes only the declared size): how
     * a file larger than declared could still reach storage, for the pipeline's check of the real size.
     */
    putPart?: (videoId: string, bytes: Buffer) => Promise<string>;
  } = {},
) {
  const bytes = await readFile(path);
  const size = opts.declaredSize ?? (await stat(path)).size;
  const started = await startUpload(app, token, sessionId, {
    filename: opts.filename,
    contentType: opts.contentType,
    size,
  });
  if (started.status !== 201)
    throw new Error(`upload start failed: ${started.status} ${JSON.stringify(started.body)}`);
  const { video, upload } = started.body as StartedUpload;
  const etags = opts.putPart
    ? [{ part_number: 1, etag: await opts.putPart(video.id, bytes) }]
    : await putParts(bytes, upload.part_size, upload.parts);
  const done = await call(
    app,
    'POST',
    `/api/coaches/plus/sessions/${sessionId}/videos/${video.id}/upload/complete`,
    { token, body: { parts: etags } },
  );
  if (done.status !== 200) throw new Error(`complete failed: ${done.status} ${JSON.stringify(done.body)}`);
  return { videoId: video.id, completed: done.body };
}

/** Polls the video until it is ready or failed (or the timeout passes). */
export async function waitForVideo(
  app: App,
  token: string,
  sessionId: string,
  videoId: string,
  timeoutMs = 90_000,
  until: string[] = ['ready', 'failed'],
) {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await call(app, 'GET', `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}`, {
      token,
    });
    last = res.body;
    if (res.status === 200 && until.includes(res.body.status)) return res.body;
    await sleep(300);
  }
  throw new Error(
    `video ${videoId} did not reach ${until.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// --- A local OpenAI-compatible server (chat completions), the only stand-in these tests use -------------------

export interface ChatServer {
  baseUrl: string;
  requests: any[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Speaks POST /v1/chat/completions. It reads the measurements our prompt carries and answers with a
 * structured report whose key moments sit at the candidate times it was given, so the test proves
 * the request and the parsing, not a canned string.
 */
export async function startChatServer(): Promise<ChatServer> {
  const requests: any[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(raw);
    requests.push({ headers: req.headers, body });
    const user = body.messages.find((m: any) => m.role === 'user');
    const text: string = user.content.find((p: any) => p.type === 'text').text;
    const measurements = JSON.parse(text.split('\n')[2]!);
    const moments = (measurements.candidate_moments as { at_seconds: number }[]).map((m, i) => ({
      at_seconds: m.at_seconds,
      type: i === 0 ? 'form_issue' : 'highlight',
      title: i === 0 ? 'Head falls over at the cut' : 'Clean follow-through',
      detail: `Candidate ${i + 1} at ${m.at_seconds}s reviewed.`,
    }));
    const report = {
      summary: `Reviewed ${measurements.duration_seconds}s of "${measurements.session_title}" with ${moments.length} moments.`,
      key_moments: moments,
      coaching_points: ['Keep the head still through contact', 'Hold the finish for a count of two'],
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'local-vision-test',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: JSON.stringify(report), refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
