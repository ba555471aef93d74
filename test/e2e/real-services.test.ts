import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheckWorkflowType, type HealthCheckWorkflow } from '../../workflows/health/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import { startTestContext, type TestContext } from '../support/harness';
import { readMessage, waitForMessages } from '../support/mailbox';
import { ffprobe, generateClip, tempDir } from '../support/media';

// One test per real service, over real connections: the foundation every later feature stands on.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => ctx?.close());

describe('the real local stack', () => {
  it('runs a workflow on the Temporal server that writes to Postgres and runs ffmpeg on the media queue', async () => {
    const { cfg, temporal, db } = ctx.deps;
    const workflowId = workflowIds.healthCheck(`test-${Date.now()}`);
    const result = await temporal.workflow.execute<HealthCheckWorkflow>(healthCheckWorkflowType, {
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [cfg.TEMPORAL_MEDIA_TASK_QUEUE],
    });
    expect(result).toMatchObject({ workflowId, databaseRoundTrip: true });
    expect(result.ffmpegVersion).toMatch(/^ffmpeg version/);

    const row = await db.healthProbe.findUnique({ where: { id: workflowId } });
    expect(row?.workflowId).toBe(workflowId);

    const description = await temporal.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.DomainStatus).toEqual(['HEALTHY']);
  });

  it('round-trips an object through S3 with presigned URLs, and refuses anonymous reads', async () => {
    const { s3, cfg } = ctx.deps;
    const key = `tests/${Date.now()}.txt`;
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key }), {
      expiresIn: 60,
    });
    const put = await fetch(putUrl, { method: 'PUT', body: 'hello coach' });
    expect(put.status).toBe(200);

    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key }), {
      expiresIn: 60,
    });
    const got = await fetch(getUrl);
    expect(await got.text()).toBe('hello coach');

    const anonymous = await fetch(`${cfg.S3_ENDPOINT}/${cfg.S3_BUCKET}/${key}`);
    expect(anonymous.status).toBe(403);
  });

  it('gets answers from stripe-mock through the real Stripe SDK', async () => {
    const intent = await ctx.deps.stripe.paymentIntents.create(
      { amount: 2500, currency: 'usd', capture_method: 'manual' },
      { idempotencyKey: `test-${Date.now()}` },
    );
    expect(intent.id).toMatch(/^pi_/);
    expect(intent.object).toBe('payment_intent');
  });

  it('delivers mail through SMTP with nodemailer and reads it back from the sink', async () => {
    const to = `smtp-${Date.now()}@example.test`;
    await ctx.deps.mailer.sendMail({
      from: ctx.deps.cfg.MAIL_FROM,
      to,
      subject: 'Stack check',
      text: 'It works.',
    });
    const [summary] = await waitForMessages(to);
    const message = await readMessage(summary!.ID);
    expect(message.Subject).toBe('Stack check');
    expect(message.Text.trim()).toBe('It works.');
  });

  it('probes a generated clip with ffprobe', async () => {
    const path = await generateClip(join(await tempDir(), 'clip.mp4'), {
      seconds: 2,
      width: 320,
      height: 180,
    });
    const probe = await ffprobe(path);
    expect(probe.durationSeconds).toBeGreaterThan(1.9);
    expect(probe.durationSeconds).toBeLessThan(2.2);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'h264', width: 320, height: 180 });
    expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
  });
});

describe('email delivery', () => {
  it('sends each (reference, template, recipient) once, however often the activity is retried', async () => {
    const { createDefaultActivities } = await import('../../activities');
    const activities = createDefaultActivities(ctx.deps);
    const to = `once-${Date.now()}@example.test`;
    const input = {
      reference: `test-${Date.now()}`,
      template: 'health_check' as const,
      to,
      data: { checkedAt: '2026-11-24T10:00:00Z' },
    };
    const first = await activities.sendEmail(input);
    const second = await activities.sendEmail(input);
    expect(first.sent).toBe(true);
    expect(second).toEqual({ sent: false, messageId: first.messageId });
    await waitForMessages(to);
    await new Promise((r) => setTimeout(r, 500));
    const { messagesTo } = await import('../support/mailbox');
    const messages = await messagesTo(to);
    expect(messages).toHaveLength(1);
    const message = await readMessage(messages[0]!.ID);
    expect(message.Text).toContain('Outbound email works');
    expect(message.HTML).toContain('<h1');
  });
});
