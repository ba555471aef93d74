import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isNotFound, objectSize, ttlSeconds } from './object-files';

// The S3 side of a direct-to-S3 multipart upload: the bytes go from the client to S3 through
// presigned part URLs and never through the API. S3's refusals come back as results the caller
// can explain to a person, not as SDK errors.

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
}

const errorName = (err: unknown) => (err as { name?: string }).name;

/** Opens the multipart upload and returns its id. */
export async function createMultipartUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  contentType: string,
): Promise<string> {
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
  );
  return created.UploadId!;
}

/** The Content-Length header is part of every part URL's signature (see presignUploadParts). */
const SIGNED_LENGTH = new Set(['content-length']);

/**
 * Presigned PUT URLs, one per part, valid for `ttlMs`. Each URL signs its part's exact length, so
 * S3 refuses a PUT of any other size (SignatureDoesNotMatch): the bytes an upload can hold are the
 * bytes reserved for it, however often a URL is reused before it expires.
 */
export function presignUploadParts(
  s3: S3Client,
  bucket: string,
  upload: { key: string; uploadId: string },
  parts: readonly { partNumber: number; size: number }[],
  ttlMs: number,
): Promise<{ partNumber: number; url: string }[]> {
  const expiresIn = ttlSeconds(ttlMs);
  return Promise.all(
    parts.map(async ({ partNumber, size }) => ({
      partNumber,
      url: await getSignedUrl(
        s3,
        new UploadPartCommand({
          Bucket: bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumber: partNumber,
          ContentLength: size,
        }),
        { expiresIn, signableHeaders: SIGNED_LENGTH },
      ),
    })),
  );
}

/**
 * Aborts every multipart upload S3 holds for `key` (and `uploadId`, listed or not), so no parts stay
 * behind: including one whose id was never recorded (a CreateMultipartUpload retried after a lost
 * answer). Lists by the exact key, which is what MinIO supports. Safe to repeat.
 */
export async function abortMultipartUploads(
  s3: S3Client,
  bucket: string,
  key: string,
  uploadId?: string | null,
): Promise<void> {
  const ids = new Set<string>(uploadId ? [uploadId] : []);
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: key,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const u of page.Uploads ?? []) if (u.Key === key && u.UploadId) ids.add(u.UploadId);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker || uploadIdMarker);
  for (const id of ids) {
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id }));
    } catch (err) {
      if (errorName(err) !== 'NoSuchUpload' && !isNotFound(err)) throw err;
    }
  }
}

/** The parts S3 already holds, in part order; undefined when the upload no longer exists. */
export async function listUploadedParts(
  s3: S3Client,
  bucket: string,
  upload: { key: string; uploadId: string },
): Promise<UploadedPart[] | undefined> {
  const parts: UploadedPart[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListPartsCommand({
          Bucket: bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumberMarker: marker,
        }),
      );
      for (const p of page.Parts ?? [])
        parts.push({ partNumber: p.PartNumber!, etag: p.ETag ?? '', size: p.Size ?? 0 });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (err) {
    if (errorName(err) === 'NoSuchUpload') return undefined;
    throw err;
  }
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

export type CompletionResult =
  | { outcome: 'completed' }
  /** The upload was aborted (timeout or cancel) and no object exists. */
  | { outcome: 'stopped' }
  /** S3 refused the part list (wrong ETag, order, or a part under 5 MiB). */
  | { outcome: 'refused'; code: string; message: string };

/**
 * Assembles the object from its parts. Safe to repeat: when S3 no longer knows the upload because an
 * earlier call completed it (and its answer was lost), the object exists and this is `completed`.
 */
export async function completeMultipartUpload(
  s3: S3Client,
  bucket: string,
  upload: { key: string; uploadId: string },
  parts: readonly { partNumber: number; etag: string }[],
): Promise<CompletionResult> {
  try {
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
    return { outcome: 'completed' };
  } catch (err) {
    const name = errorName(err);
    if (name === 'NoSuchUpload')
      return (await objectSize(s3, bucket, upload.key)) === undefined
        ? { outcome: 'stopped' }
        : { outcome: 'completed' };
    if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall')
      return { outcome: 'refused', code: name, message: (err as Error).message };
    throw err;
  }
}
