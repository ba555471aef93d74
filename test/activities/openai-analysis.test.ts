import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisActivities } from '../../activities/videos/analysis';
import { rolesWithFeature } from '../../src/domain/subscriptions/plans';
import { ANALYSIS_ATTEMPTS } from '../../src/domain/videos/status';
import type { Deps } from '../../src/infra/deps';
import { mockActivityEnv } from '../support/temporal-activity';

// writeVideoAnalysis decides per error whether the AI service is worth another attempt: connection
// failures, 408, 409, 429 and 5xx are thrown (Temporal retries them) until the last attempt; anything
// else, or any error on the last attempt, falls back to the signals-only report. The "OpenAI API" is
// a local HTTP server answering each test's status (telling the SDK not to retry on its own);
// Postgres and S3 are in-memory fakes.

const VIDEO_ID = '4f7bd7b4-9f51-4a35-b3a2-2e4a1f7c5d10';
const role = rolesWithFeature('video_analysis_enabled')[0]!;
let answer = { status: 500, message: 'unset' };
let requests = 0;
let server: Server;
let baseURL: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json', 'x-should-retry': 'false' });
      res.end(JSON.stringify({ error: { message: answer.message, type: 'test_error', code: null } }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
});

function setup(openaiBaseUrl = baseURL) {
  const dbWrites: { data: Record<string, unknown> }[] = [];
  const reports: { key: string; body: { source: string; note: string } }[] = [];
  const db = {
    video: {
      findUnique: async () => ({
        id: VIDEO_ID,
        coachId: 'coach-1',
        durationSeconds: 30,
        width: 1280,
        height: 720,
        session: { title: 'Serve practice', notes: null, coach: { id: 'coach-1', role } },
      }),
      update: async (q: { data: Record<string, unknown> }) => (dbWrites.push(q), {}),
    },
    // This video's AI report was already charged (a retry): no usage is taken again.
    $transaction: async (fn: (tx: unknown) => Promise<unknown>) =>
      fn({ $queryRaw: async () => [{ ai_report_period: '2026-11' }] }),
  };
  const s3 = {
    async send(command: PutObjectCommand) {
      reports.push({ key: command.input.Key!, body: JSON.parse(command.input.Body as string) });
      return {};
    },
  };
  const cfg = {
    S3_BUCKET: 'media',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: openaiBaseUrl,
    OPENAI_MODEL: 'gpt-test',
  };
  const activities = analysisActivities({ cfg, db, s3 } as unknown as Pick<Deps, 'cfg' | 'db' | 's3'>);
  return { activities, dbWrites, reports };
}

const analysisInput = {
  videoId: VIDEO_ID,
  candidates: [],
  summary: {
    durationSeconds: 30,
    sceneChanges: [],
    motionTimeline: [],
    audioPeaks: [],
    averageMotion: 3,
    loudestDb: null,
  },
};

async function attempt(n: number, status: number, message = `status ${status} from the test server`) {
  answer = { status, message };
  requests = 0;
  const t = setup();
  const { env } = mockActivityEnv({ attempt: n });
  const outcome = await env.run(t.activities.writeVideoAnalysis, analysisInput).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...t, ...outcome, requests };
}

describe('OpenAI transient-error detection', () => {
  it.each([500, 503, 408, 409, 429])(
    'HTTP %i on attempt 1 is thrown for Temporal to retry',
    async (status) => {
      const r = await attempt(1, status);
      expect(r.error).toBeInstanceOf(OpenAI.APIError);
      expect((r.error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect(r.requests).toBe(1);
      expect(r.reports).toEqual([]);
      // The row says the analysis is running; it is not marked done on a thrown attempt.
      expect(r.dbWrites.map((w) => w.data.analysisStatus)).toEqual(['running']);
    },
  );

  it.each([400, 401, 403, 404, 422])(
    'HTTP %i is not transient: the signals-only report is written at once',
    async (status) => {
      const r = await attempt(1, status, 'the request was not acceptable');
      expect(r.error).toBeUndefined();
      expect(r.value).toMatchObject({ status: 'done', source: 'signals' });
      expect(r.reports).toHaveLength(1);
      expect(r.reports[0]!.key).toBe(`videos/${VIDEO_ID}/analysis/report.json`);
      expect(r.reports[0]!.body.source).toBe('signals');
      expect(r.reports[0]!.body.note).toContain(`${status}: `);
      expect(r.dbWrites.map((w) => w.data.analysisStatus)).toEqual(['running', 'done']);
    },
  );

  it(`a transient error on the last attempt (${ANALYSIS_ATTEMPTS}) falls back instead of failing`, async () => {
    const r = await attempt(ANALYSIS_ATTEMPTS, 503, 'overloaded');
    expect(r.error).toBeUndefined();
    expect(r.value).toMatchObject({ status: 'done', source: 'signals' });
    expect(r.reports[0]!.body.note).toContain('503: ');
    expect(r.reports[0]!.body.note).toContain('overloaded');
  });

  it('a connection failure is transient', async () => {
    // A port nothing listens on: the SDK gives up after its own two quick retries.
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise((done) => closed.close(done));
    const t = setup(`http://127.0.0.1:${port}/v1`);
    const { env } = mockActivityEnv({ attempt: 1 });
    await expect(env.run(t.activities.writeVideoAnalysis, analysisInput)).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect(t.reports).toEqual([]);
  });
});
