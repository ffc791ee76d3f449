/** Media files made by jobs, served by the CDN origin under /files/<name>. */

export interface MediaFile {
  contentType: string;
  size: number;
  /** Fresh chunks on each call, so big files are generated while sent, never buffered whole. */
  chunks(): Iterable<Buffer>;
  /** True once the file is purged (video: `videoExpiryMs` after completion). */
  gone?(): boolean;
}

export class FileStore {
  private readonly files = new Map<string, MediaFile>();

  put(name: string, file: MediaFile): void {
    this.files.set(name, file);
  }

  /** Buffers are wrapped as single-chunk files. */
  putBytes(name: string, contentType: string, bytes: Buffer): void {
    this.put(name, { contentType, size: bytes.length, chunks: () => [bytes] });
  }

  get(name: string): MediaFile | undefined {
    const file = this.files.get(name);
    if (file?.gone?.()) return undefined;
    return file;
  }

  clear(): void {
    this.files.clear();
  }
}
