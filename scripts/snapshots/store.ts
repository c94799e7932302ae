/**
 * Snapshots: the last good normalized records of each source (data/snapshots/<id>.jsonl, one record a
 * line, sorted by key) and what we know of how they were obtained (<id>.meta.json). A failed fetch never
 * touches them; a write replaces both files atomically.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { z } from 'zod';
import { recordKey, sourceRecordSchema, type SourceRecord } from '../records.ts';
import { SourceFormatError } from '../util/errors.ts';
import { writeFilesAtomic } from '../util/atomic-fs.ts';
import { stableStringify } from '../util/stable-json.ts';

export const snapshotMetaSchema = z.strictObject({
  source: z.string(),
  /** When the records were last successfully fetched or imported. */
  retrievedAt: z.string(),
  /** URL fetched, or the recording(s) imported (paths relative to the repo's parent). */
  origins: z.array(z.string()),
  recordCount: z.number().int(),
  /** sha256 of the .jsonl file. */
  contentHash: z.string(),
  checkpoint: z.string().optional(),
  /** Structural state the parser reported (e.g. lists-removed). */
  state: z.string().optional(),
  lists: z.array(z.string()).optional(),
  rowIssues: z.number().int().default(0),
  /**
   * Set when the last fetch brought fewer rows than the service counted (or could not be checked): the
   * records are merged, never a smaller truth, and the checkpoint stayed where it was.
   */
  shortfalls: z
    .array(z.object({ what: z.string(), expected: z.number().int().optional(), got: z.number().int(), message: z.string().optional() }))
    .optional(),
  /** Records the last fetch removed because the source deleted them upstream (first 50, for the report). */
  removals: z.array(z.object({ key: z.string(), reason: z.string() })).optional(),
});
export type SnapshotMeta = z.infer<typeof snapshotMetaSchema>;

export interface Snapshot {
  records: SourceRecord[];
  meta: SnapshotMeta;
}

export function snapshotPaths(dataDir: string, sourceId: string): { records: string; meta: string } {
  const dir = join(dataDir, 'snapshots');
  return { records: join(dir, `${sourceId}.jsonl`), meta: join(dir, `${sourceId}.meta.json`) };
}

export function sortRecords(records: SourceRecord[]): SourceRecord[] {
  // Keys computed once: a comparator that recomputes them costs n·log n normalizations.
  const keyed = records.map((record) => ({ key: recordKey(record), record }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.record);
}



/** Reads a source's snapshot; undefined when it has never been written. Corrupt files are errors, not "empty". */
export async function readSnapshot(dataDir: string, sourceId: string): Promise<Snapshot | undefined> {
  const paths = snapshotPaths(dataDir, sourceId);
  const metaText = await readFile(paths.meta, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (metaText === undefined) return undefined;
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(metaText);
  } catch (error) {
    throw new SourceFormatError(sourceId, `snapshot meta is not JSON: ${(error as Error).message}`, { file: paths.meta });
  }
  const meta = snapshotMetaSchema.safeParse(metaJson);
  if (!meta.success) {
    const issue = meta.error.issues[0];
    throw new SourceFormatError(sourceId, issue?.message ?? 'invalid snapshot meta', {
      file: paths.meta,
      path: issue?.path.join('.'),
    });
  }
  const records: SourceRecord[] = [];
  const lines = createInterface({ input: createReadStream(paths.records, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (!line) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      lines.close();
      throw new SourceFormatError(sourceId, `not JSON: ${(error as Error).message}`, { file: paths.records, line: lineNumber });
    }
    const result = sourceRecordSchema.safeParse(parsed);
    if (!result.success) {
      lines.close();
      const issue = result.error.issues[0];
      throw new SourceFormatError(sourceId, issue?.message ?? 'invalid record', {
        file: paths.records,
        line: lineNumber,
        path: issue?.path.join('.'),
      });
    }
    records.push(result.data);
  }
  return { records, meta: meta.data };
}

/** Writes records and meta together; both land or neither does. Returns the meta written. */
export async function writeSnapshot(
  dataDir: string,
  sourceId: string,
  records: SourceRecord[],
  meta: Omit<SnapshotMeta, 'recordCount' | 'contentHash' | 'source'>,
): Promise<SnapshotMeta> {
  const paths = snapshotPaths(dataDir, sourceId);
  const sorted = sortRecords(records);
  // Line by line, never one string: a full history is larger than the longest string V8 can hold.
  const lines = function* (): Generator<string> {
    for (const record of sorted) yield `${stableStringify(record)}\n`;
  };
  const hash = createHash('sha256');
  for (const line of lines()) hash.update(line);
  const fullMeta: SnapshotMeta = snapshotMetaSchema.parse({
    ...meta,
    source: sourceId,
    recordCount: records.length,
    contentHash: hash.digest('hex'),
  });
  await writeFilesAtomic([
    { path: paths.records, content: { chunks: lines } },
    { path: paths.meta, content: `${stableStringify(fullMeta, 2)}\n` },
  ]);
  return fullMeta;
}
