import type { Actor } from '../../domain/identity/access';
import { invalidFields, notFound } from '../../domain/shared/errors';
import {
  annotationProblems,
  applyAnnotationPatch,
  type AnnotationDraft,
  type AnnotationPatch,
} from '../../domain/videos/annotations';
import { Prisma, type VideoAnnotation } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { loadVideo, requireReady, type VideoIds } from './access';

// Timestamped notes, markers and drawings on a ready video. The coach writes them; everyone who may
// watch the video reads them.

async function annotatableVideo(db: Deps['db'], actor: Actor, ids: VideoIds) {
  const video = await loadVideo(db, actor, ids, 'write');
  return requireReady(video, 'Annotations can be added once the video is ready');
}

function checked<A extends AnnotationDraft>(annotation: A, durationSeconds: number): A {
  const problems = annotationProblems(annotation, durationSeconds);
  if (problems.length > 0) throw invalidFields(problems, 'invalid_request', 'Invalid annotation');
  return annotation;
}

export async function addAnnotation(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  ids: VideoIds,
  draft: AnnotationDraft,
): Promise<VideoAnnotation> {
  const video = await annotatableVideo(db, actor, ids);
  const a = checked(draft, video.durationSeconds);
  return db.videoAnnotation.create({
    data: {
      videoId: video.id,
      authorId: actor.id,
      kind: a.kind,
      atSeconds: a.atSeconds,
      endSeconds: a.endSeconds ?? null,
      text: a.text || null,
      shapes: (a.shapes as Prisma.InputJsonValue[] | null | undefined) ?? undefined,
    },
  });
}

export async function updateAnnotation(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  ids: VideoIds & { annotationId: string },
  patch: AnnotationPatch,
): Promise<VideoAnnotation> {
  const video = await annotatableVideo(db, actor, ids);
  const existing = await db.videoAnnotation.findFirst({ where: { id: ids.annotationId, videoId: video.id } });
  if (!existing) throw notFound('Annotation');
  const current = {
    kind: existing.kind,
    atSeconds: existing.atSeconds,
    endSeconds: existing.endSeconds,
    text: existing.text,
    shapes: existing.shapes as unknown[] | null,
  };
  const merged = checked(applyAnnotationPatch(current, patch), video.durationSeconds);
  return db.videoAnnotation.update({
    where: { id: existing.id },
    data: {
      atSeconds: merged.atSeconds,
      endSeconds: merged.endSeconds ?? null,
      text: merged.text || null,
      shapes: merged.shapes ? (merged.shapes as Prisma.InputJsonValue) : Prisma.DbNull,
    },
  });
}

/** Removing needs write access to the video but not a ready one. */
export async function removeAnnotation(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  ids: VideoIds & { annotationId: string },
): Promise<void> {
  const video = await loadVideo(db, actor, ids, 'write');
  const removed = await db.videoAnnotation.deleteMany({ where: { id: ids.annotationId, videoId: video.id } });
  if (removed.count === 0) throw notFound('Annotation');
}

/** The video's annotations in time order, for everyone who may watch it. */
export async function listAnnotations(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  videoId: string,
): Promise<VideoAnnotation[]> {
  const video = await loadVideo(db, actor, { videoId }, 'read');
  return db.videoAnnotation.findMany({
    where: { videoId: video.id },
    orderBy: [{ atSeconds: 'asc' }, { createdAt: 'asc' }],
  });
}
