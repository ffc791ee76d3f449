/**
 * Batch input files: the intent made by POST /v1/batches/files (a `file_id` and a presigned PUT
 * link on the media host), and the bytes the client then PUTs there. Kept per access key, like jobs.
 */
import { keyFingerprint } from '../jobs/store';

export interface BatchInputFile {
  id: string;
  fileName: string;
  /** Fingerprint of the key that made the intent. */
  owner: string;
  /** The uploaded bytes (at most `maxFileBytes`; see `tooLarge`), or null until a PUT completes. */
  content: Buffer | null;
  /** Bytes the last PUT sent, counted even beyond what was kept. */
  size: number;
  /** The last PUT sent more than the limit: only the size is kept, and validation fails the batch. */
  tooLarge: boolean;
}

export class BatchFileStore {
  private readonly files = new Map<string, BatchInputFile>();

  create(id: string, fileName: string, key: string): BatchInputFile {
    const file: BatchInputFile = { id, fileName, owner: keyFingerprint(key), content: null, size: 0, tooLarge: false };
    this.files.set(id, file);
    return file;
  }

  /** Another key's file is as unknown as a missing one. */
  get(id: string, key: string): BatchInputFile | undefined {
    const file = this.files.get(id);
    return file && file.owner === keyFingerprint(key) ? file : undefined;
  }

  /** For the media host, which has no key: the signed link already names the file. */
  byId(id: string): BatchInputFile | undefined {
    return this.files.get(id);
  }

  clear(): void {
    this.files.clear();
  }
}
