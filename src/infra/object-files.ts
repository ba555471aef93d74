import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Private S3 objects: streams to and from local files (constant memory whatever the size), short-lived
// presigned GET URLs, and listing or deleting everything under a prefix.

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** The object's size, or undefined when it does not exist. */
export async function objectSize(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Bytes [offset, offset+length) of an object (fewer at its end). */
export async function readRange(
  s3: S3Client,
  bucket: string,
  key: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  if (length <= 0) return new Uint8Array();
  const res = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }),
  );
  return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
}

/**
 * Downloads to `path` through `path.part` and a rename, so a file at `path` is always complete.
 * Skips the download when `path` already holds `expectedBytes` (a retry on the same machine).
 */
export async function downloadToFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  opts: { expectedBytes?: number; signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<number> {
  if (opts.expectedBytes !== undefined) {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size === opts.expectedBytes) return existing.size;
  }
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
  const body = res.Body as Readable | undefined;
  if (!body) throw new Error(`empty body for ${key}`);
  let received = 0;
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    opts.onBytes?.(received);
  });
  await pipeline(body, createWriteStream(`${path}.part`), { signal: opts.signal });
  await rename(`${path}.part`, path);
  return received;
}

/** Uploads a local file (streamed, with its length) and returns its size. */
export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  contentType: string,
  signal?: AbortSignal,
): Promise<number> {
  const { size } = await stat(path);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(path),
      ContentLength: size,
      ContentType: contentType,
    }),
    { abortSignal: signal },
  );
  return size;
}

// --- Presigned URLs --------------------------------------------------------------------------------------

/** A presign TTL in whole seconds (S3 counts seconds; at least one). */
export function ttlSeconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

/** When a URL presigned now for `ttlMs` stops working. */
export function presignedUntil(ttlMs: number, now = Date.now()): Date {
  return new Date(now + ttlSeconds(ttlMs) * 1000);
}

/** A short-lived GET URL for a private object. */
export function presignGet(
  s3: S3Client,
  bucket: string,
  key: string,
  ttlMs: number,
  opts: { contentType?: string; downloadName?: string } = {},
): Promise<string> {
  return getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentType: opts.contentType,
      ResponseContentDisposition: opts.downloadName
        ? `inline; filename="${opts.downloadName.replace(/["\\\r\n]/g, '_')}"`
        : undefined,
    }),
    { expiresIn: ttlSeconds(ttlMs) },
  );
}

// --- Prefixes ---------------------------------------------------------------------------------------------

/** Deletes every object under `prefix` except those `keep` accepts; returns how many were deleted. */
export async function deletePrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keep: (key: string) => boolean = () => false,
): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).map((o) => o.Key!).filter((k) => k && !keep(k));
    if (keys.length > 0) {
      const res = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (res.Errors?.length)
        throw new Error(
          `could not delete ${res.Errors.length} object(s) under ${prefix}: ${res.Errors[0]?.Message ?? 'unknown error'}`,
        );
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Every key under a prefix (tests and cleanup checks). */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}
