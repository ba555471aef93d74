import type { Deps } from '../../src/infra/deps';
import type { StrandedDeletions } from '../../workflows/maintenance/definitions';

// Deletions the API recorded (rows marked deleted) whose hand-over to a workflow never happened or
// never finished — Temporal was away when the owner pressed delete and nobody repeated it. The
// maintenance schedule finds them here and hands them to their workflows again.

const BATCH = 200;

export function deletionActivities(deps: Pick<Deps, 'db' | 'cfg'>) {
  return {
    async findStrandedDeletions(input: { markedBeforeMs: number }): Promise<StrandedDeletions> {
      const before = new Date(input.markedBeforeMs);
      // Clips need no sweep: a clip's deletion changes nothing until its workflow has it (the API
      // answers 503 and the clip stays), and a deleted video's workflow removes its clips.
      const videos = await deps.db.video.findMany({
        where: { deletedAt: { lt: before } },
        select: { id: true, coachId: true },
        orderBy: { deletedAt: 'asc' },
        take: BATCH,
      });
      return {
        videos,
        mediaTaskQueue: deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE,
        uploadTimeoutMs: deps.cfg.VIDEO_UPLOAD_TIMEOUT,
      };
    },

    /** Sessions marked deleted whose videos are all gone: nothing is left to clean up but the row. */
    async purgeEmptyDeletedSessions(input: { markedBeforeMs: number }): Promise<number> {
      const { count } = await deps.db.videoSession.deleteMany({
        where: { deletedAt: { lt: new Date(input.markedBeforeMs) }, videos: { none: {} } },
      });
      return count;
    },
  };
}
