/**
 * Presigned PUT of batch input files on the media host (spec `inference_upload_batch_file`): the
 * `upload_url` of POST /v1/batches/files is `/uploads/<file_id>.jsonl?X-Amz-…`, signed for PUT only,
 * valid `batchUrlTtlSeconds.upload`. Like S3 it answers 403 for an expired or tampered link and for a
 * Content-Type the link was not signed for (`batchUploadContentTypes`); the media host's 403 for an
 * Authorization header comes first (cdn/server.ts). Bytes beyond `batchLimits.maxFileBytes` are
 * counted but not kept: validation then fails the batch, as DO's 200 MB rule would.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CdnRequest } from '../types';
import type { EmulatorState } from '../state';
import { checkPresigned, presignedPath } from './presign';

export const UPLOADS_PREFIX = '/uploads/';

const ACCEPTED_TYPES = {
  // Spec: application/octet-stream or none; its first curl example sent application/jsonl; godo sends application/x-ndjson.
  documented: ['application/octet-stream', 'application/jsonl', 'application/x-ndjson'],
  // Spec HEAD: "a custom value (for example application/jsonl) can cause signature mismatches".
  'octet-stream': ['application/octet-stream'],
} as const;

const uploadName = (fileId: string): string => `${fileId}.jsonl`;

/** A fresh `upload_url` for the file, on the media origin. */
export function uploadUrl(state: EmulatorState, fileId: string, now = Date.now()): string {
  const path = presignedPath(state.signingKey, uploadName(fileId), now, {
    expiresSeconds: state.config.batchUrlTtlSeconds.upload,
    prefix: UPLOADS_PREFIX,
  });
  return `${state.mediaOrigin()}${path}`;
}

/** S3's error document. */
export function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

export async function receiveUpload(req: IncomingMessage, res: ServerResponse, state: EmulatorState, url: URL, record: CdnRequest): Promise<void> {
  const refuse = (status: number, code: string, message: string): void => {
    record.status = status;
    const payload = Buffer.from(s3Error(code, message));
    // The body may still be arriving: close rather than read a file we refuse.
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(payload.length), connection: 'close' });
    res.end(payload);
  };
  const name = decodeURIComponent(url.pathname.slice(UPLOADS_PREFIX.length));
  const refused = checkPresigned(state.signingKey, name, url.searchParams, Date.now(), UPLOADS_PREFIX);
  if (refused === 'expired') return refuse(403, 'AccessDenied', 'Request has expired');
  if (refused) return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const accepted: readonly string[] = ACCEPTED_TYPES[state.config.batchUploadContentTypes];
  if (contentType !== '' && !accepted.includes(contentType)) {
    return refuse(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided (Content-Type ${contentType} was not signed).`);
  }
  const file = state.batchFiles.byId(name.replace(/\.jsonl$/, ''));
  if (!file) return refuse(404, 'NoSuchUpload', 'The upload does not exist (the emulator was reset).');

  const limit = state.config.batchLimits.maxFileBytes;
  const kept: Buffer[] = [];
  const md5 = createHash('md5');
  let size = 0;
  const complete = await new Promise<boolean>((resolve) => {
    req.on('data', (chunk: Buffer) => {
      md5.update(chunk);
      if (size + chunk.length <= limit) kept.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve(true));
    req.on('close', () => resolve(req.complete));
    req.on('error', () => resolve(false));
  });
  if (!complete) return; // the client went away: the previous content (if any) stays
  file.size = size;
  file.tooLarge = size > limit;
  file.content = file.tooLarge ? Buffer.alloc(0) : Buffer.concat(kept, size);
  record.status = 200;
  res.writeHead(200, { etag: `"${md5.digest('hex')}"`, 'content-length': '0' });
  res.end();
}
