import { createHash } from 'node:crypto';

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Short content hash for markers and file names. */
export function shortHash(content: string): string {
  return sha256(content).slice(0, 16);
}
