import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Streams between S3 and local files: constant memory whatever the size.

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
