/**
 * Reading a download's zip entry by entry, each as a stream (parse.ts stages a contract entry in a private
 * temp folder for the engine's CSV reader, and streams it instead when it cannot).
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { IcewatchError, SourceFormatError } from '../../util/errors.ts';

/** True when the file starts with a zip local-file or end-of-central-directory signature. */
export async function isZipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4) return false;
    return head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
  } finally {
    await handle.close();
  }
}

export interface ZipEntryVisit {
  name: string;
  uncompressedSize: number;
  open(): Promise<Readable>;
}

/**
 * Calls `visit` for every file entry, in zip order, one at a time: the next entry is read only
 * after `visit` settles, so each stream is consumed before the next one is opened.
 */
export async function forEachZipEntry(path: string, sourceId: string, file: string, visit: (entry: ZipEntryVisit) => Promise<void>): Promise<void> {
  // Loaded when a zip is opened: an offline run never opens one.
  const { default: unzip } = await import('yauzl');
  let zip: yauzl.ZipFile;
  try {
    zip = await unzip.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (error) {
    throw new SourceFormatError(sourceId, `not a readable zip: ${(error as Error).message}`, { file });
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      if (entry.isEncrypted()) throw new SourceFormatError(sourceId, `zip entry ${entry.fileName} is encrypted`, { file });
      await visit({
        name: entry.fileName,
        uncompressedSize: entry.uncompressedSize,
        open: () => zip.openReadStreamPromise(entry),
      });
    }
  } catch (error) {
    if (error instanceof IcewatchError || error instanceof TypeError || error instanceof ReferenceError) throw error;
    // yauzl and zlib report corrupt archives (bad CRC, truncated data, size mismatch) here.
    if (error instanceof Error) throw new SourceFormatError(sourceId, `damaged zip: ${error.message}`, { file });
    throw error;
  } finally {
    zip.close();
  }
}
