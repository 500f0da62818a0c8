import { closeSync, openSync, writeSync } from 'node:fs';
import { reportIfStorageFailure } from '../sqlite/storageFailureListeners.ts';

const BUFFER_BYTES = 64 * 1024;

/**
 * A document's bytes written to a file as pdfkit produces them, 64 KiB at a time. Synchronous on
 * purpose: pdfkit pushes its output without waiting for a reader, so an asynchronous file stream
 * would hold the whole document in memory until the layout loop yields; a blocking write holds
 * at most one buffer. The reporter runs in its own worker thread, so nothing else waits on it.
 */
export class PdfFile {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private written = 0;
  private open = true;

  constructor(readonly path: string) {
    this.fd = this.io(() => openSync(path, 'w'));
  }

  write(chunk: Uint8Array): void {
    if (this.used + chunk.byteLength > BUFFER_BYTES) this.flush();
    if (chunk.byteLength >= BUFFER_BYTES) {
      this.writeAll(chunk);
      return;
    }
    this.buffer.set(chunk, this.used);
    this.used += chunk.byteLength;
  }

  /** writes what is buffered and closes the file; returns its size in bytes */
  close(): number {
    this.flush();
    this.open = false;
    this.io(() => closeSync(this.fd));
    return this.written;
  }

  /** closes the file without caring for what is left (the document is being thrown away) */
  abandon(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.byteLength) {
      offset += this.io(() => writeSync(this.fd, bytes, offset, bytes.byteLength - offset));
    }
    this.written += bytes.byteLength;
  }

  private io<T>(call: () => T): T {
    try {
      return call();
    } catch (error) {
      // a full disk stops the reporter's process as it stops the others (ENOSPC, EROFS)
      reportIfStorageFailure(error, this.path);
      throw error;
    }
  }
}
