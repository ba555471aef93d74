import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import {
  aiUnavailableNote,
  AiReportSchema,
  analysisPrompt,
  NO_AI_NOTE,
  normaliseAiReport,
  signalsOnlyReport,
  type AnalysisReport,
  type FramedCandidate,
} from '../../src/domain/videos/analysis';
import { limitFor, planFor, hasFeature } from '../../src/domain/subscriptions/plans';
import type { SignalSummary } from '../../src/domain/videos/signals';
import { ANALYSIS_ATTEMPTS } from '../../src/domain/videos/status';
import type { Deps } from '../../src/infra/deps';
import { createOpenAI } from '../../src/infra/openai';
import { readRange } from '../../src/infra/object-files';
import { tryConsume, usagePeriod, currentUsage } from '../../src/data/usage';
import { videoKeys } from '../../src/infra/video-objects';
import type { Db } from '../../src/infra/prisma';

// The analysis report (default task queue): an OpenAI-compatible model when one is configured, the
// signals alone otherwise. Every report counts against the coach's monthly AI-report allowance, once
// per video whatever the retries; over the allowance the video is still ready, the analysis skipped.

export interface AnalysisOutcome {
  status: 'done' | 'skipped';
  source: 'ai' | 'signals' | null;
  reason: string | null;
}

/** Errors worth another attempt: the service is down, slow or rate-limiting. */
function isTransient(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError) return true;
  if (err instanceof OpenAI.APIError)
    return (
      err.status === undefined ||
      err.status === 408 ||
      err.status === 409 ||
      err.status === 429 ||
      err.status >= 500
    );
  return false;
}

function describe(err: unknown): string {
  if (err instanceof OpenAI.APIError) return `${err.status ?? 'no status'}: ${err.message}`.slice(0, 200);
  return ((err as Error)?.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 200);
}

/** Charges one AI report to the coach for this video, once: the video row records the month charged. */
async function chargeOnce(db: Db, videoId: string, coachId: string, limit: number | null): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<
      { ai_report_period: string | null }[]
    >`SELECT ai_report_period FROM videos WHERE id = ${videoId}::uuid FOR UPDATE`;
    if (!row) return false;
    if (row.ai_report_period) return true;
    const period = usagePeriod('ai_reports');
    const taken = await tryConsume(tx as unknown as Db, coachId, 'ai_reports', 1, limit);
    if (taken === undefined) return false;
    await tx.$executeRaw`UPDATE videos SET ai_report_period = ${period} WHERE id = ${videoId}::uuid`;
    return true;
  });
}

export function analysisActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3'>) {
  const { db, s3, cfg } = deps;
  const bucket = cfg.S3_BUCKET;
  const openai = createOpenAI(cfg);

  async function skip(videoId: string, reason: string): Promise<AnalysisOutcome> {
    await db.video.update({
      where: { id: videoId },
      data: { analysisStatus: 'skipped', analysisReason: reason },
    });
    return { status: 'skipped', source: null, reason };
  }

  async function askModel(
    client: OpenAI,
    video: {
      id: string;
      durationSeconds: number;
      width: number;
      height: number;
      title: string;
      notes: string | null;
    },
    candidates: FramedCandidate[],
    summary: SignalSummary,
    generatedAt: string,
  ): Promise<{ ok: true; report: AnalysisReport } | { ok: false; reason: string }> {
    const prompt = analysisPrompt({ ...video, candidates, signals: summary });
    const images: OpenAI.Chat.Completions.ChatCompletionContentPartImage[] = [];
    for (const c of candidates) {
      if (!c.frame) continue;
      const bytes = await readRange(
        s3,
        bucket,
        videoKeys.analysisFile(video.id, c.frame),
        0,
        2 * 1024 * 1024,
      );
      images.push({
        type: 'image_url',
        image_url: { url: `data:image/jpeg;base64,${Buffer.from(bytes).toString('base64')}`, detail: 'low' },
      });
    }
    const completion = await client.chat.completions.parse({
      model: cfg.OPENAI_MODEL,
      temperature: 0.2,
      messages: [
        { role: 'system', content: prompt.system },
        { role: 'user', content: [{ type: 'text', text: prompt.user }, ...images] },
      ],
      response_format: zodResponseFormat(AiReportSchema, 'video_analysis_report'),
    });
    const message = completion.choices[0]?.message;
    if (!message) return { ok: false, reason: 'the AI service returned no answer' };
    if (message.refusal) return { ok: false, reason: `the model declined: ${message.refusal.slice(0, 160)}` };
    return normaliseAiReport(message.parsed, {
      durationSeconds: video.durationSeconds,
      candidates,
      signals: summary,
      model: completion.model || cfg.OPENAI_MODEL,
      generatedAt,
    });
  }

  return {
    async writeVideoAnalysis(input: {
      videoId: string;
      candidates: FramedCandidate[];
      summary: SignalSummary;
    }): Promise<AnalysisOutcome> {
      const v = await db.video.findUnique({
        where: { id: input.videoId },
        include: {
          session: { select: { title: true, notes: true, coach: { select: { id: true, role: true } } } },
        },
      });
      if (!v) return { status: 'skipped', source: null, reason: 'the video no longer exists' };
      const role = v.session.coach.role;
      if (!hasFeature(role, 'video_analysis_enabled')) {
        return skip(
          v.id,
          `Your plan (${planFor(role).name}) does not include video analysis; upgrade to Coach Pro Plus to get analysis reports.`,
        );
      }
      const limit = limitFor(role, 'ai_reports_per_month');
      if (!(await chargeOnce(db, v.id, v.coachId, limit))) {
        const used = await currentUsage(db, v.coachId, 'ai_reports');
        return skip(
          v.id,
          `Monthly AI report limit reached (${used} of ${limit} used in ${usagePeriod('ai_reports')}), so this video has no analysis report. The video itself is ready; the allowance renews on the 1st of next month.`,
        );
      }
      await db.video.update({
        where: { id: v.id },
        data: { analysisStatus: 'running', analysisReason: null },
      });

      const generatedAt = new Date().toISOString();
      const facts = {
        id: v.id,
        durationSeconds: v.durationSeconds ?? input.summary.durationSeconds,
        width: v.width ?? 0,
        height: v.height ?? 0,
        title: v.session.title,
        notes: v.session.notes,
      };
      let report: AnalysisReport;
      if (!openai) {
        report = signalsOnlyReport({
          durationSeconds: facts.durationSeconds,
          candidates: input.candidates,
          signals: input.summary,
          generatedAt,
          note: NO_AI_NOTE,
        });
      } else {
        let reason: string;
        try {
          const answer = await askModel(openai, facts, input.candidates, input.summary, generatedAt);
          if (answer.ok) report = answer.report;
          reason = answer.ok ? '' : answer.reason;
        } catch (err) {
          // Let Temporal retry a service that is down or rate-limiting; fall back on the last attempt.
          if (isTransient(err) && Context.current().info.attempt < ANALYSIS_ATTEMPTS) throw err;
          reason = describe(err);
        }
        report ??= signalsOnlyReport({
          durationSeconds: facts.durationSeconds,
          candidates: input.candidates,
          signals: input.summary,
          generatedAt,
          note: aiUnavailableNote(reason),
        });
      }

      const key = videoKeys.analysis(v.id);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(report, null, 2),
          ContentType: 'application/json',
        }),
      );
      await db.video.update({
        where: { id: v.id },
        data: {
          analysisStatus: 'done',
          analysisKey: key,
          analysis: report as object,
          analysisReason: report.note,
        },
      });
      return { status: 'done', source: report.source, reason: report.note };
    },
  };
}
