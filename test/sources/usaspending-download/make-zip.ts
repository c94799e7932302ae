/** Builds a zip like USAspending's downloads (deflated CSV entries) for tests; yazl streams it to disk. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export type ZipMember = { name: string; path: string } | { name: string; data: string | Buffer };

export async function makeZip(dest: string, members: readonly ZipMember[]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const member of members) {
    if ('path' in member) zip.addFile(member.path, member.name);
    else zip.addBuffer(Buffer.from(member.data), member.name);
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(dest));
  return dest;
}
