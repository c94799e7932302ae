import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { removeLeftovers } from './atomic-fs.ts';
import { pipeline } from 'node:stream/promises';

/** Joins small chunks into writes of about 64 KiB. */
function* batched(chunks: Iterable<string>, size = 64 * 1024): Generator<string> {
  let buffer: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    buffer.push(chunk);
    length += chunk.length;
    if (length >= size) {
      yield buffer.join('');
      buffer = [];
      length = 0;
    }
  }
  if (length > 0) yield buffer.join('');
}

async function fileHash(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/**
 * Stream `chunks` into `path` through a temp file and a rename (a crash leaves the old file whole), for
 * documents too large to hold as one string. Leaves the file untouched, mtime and all, when the new content
 * is byte-identical; returns whether it wrote.
 */
export async function writeChunksIfChanged(path: string, chunks: Iterable<string>): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  await removeLeftovers(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  const hashing = function* (source: Iterable<string>): Generator<string> {
    for (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  };
  try {
    await pipeline(Readable.from(hashing(batched(chunks))), createWriteStream(tmp));
    if (hash.digest('hex') === (await fileHash(path))) {
      await rm(tmp, { force: true });
      return false;
    }
    await rename(tmp, path);
    return true;
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
