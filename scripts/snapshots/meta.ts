/**
 * What a snapshot knows of how its records were obtained: `<id>.meta.json` beside a JSONL snapshot, or
 * `<id>/manifest.json` for a partitioned award store, which adds the partitions and what the last write
 * changed in each.
 */
import { z } from 'zod';

/** One committed partition file of an award store, as its manifest names it. */
export const partitionEntrySchema = z.strictObject({
  /** File name inside the source's folder (fy2019.parquet, fy2026.csv, fy2020-p02.parquet, fy-unknown.parquet). */
  file: z.string(),
  /** U.S. federal fiscal year of the awards' start; 0 when the start is unknown. */
  fiscalYear: z.number().int(),
  format: z.enum(['parquet', 'csv']),
  records: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type PartitionEntry = z.infer<typeof partitionEntrySchema>;

/** What one write changed in one fiscal year, computed by the engine (keys: the first few, sorted). */
export const partitionChangeSchema = z.strictObject({
  fiscalYear: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  changed: z.number().int(),
  addedKeys: z.array(z.string()),
  removedKeys: z.array(z.string()),
  changedKeys: z.array(z.string()),
});
export type PartitionChange = z.infer<typeof partitionChangeSchema>;

export const snapshotMetaSchema = z.strictObject({
  source: z.string(),
  /** When the records were last successfully fetched or imported. */
  retrievedAt: z.string(),
  /** URL fetched, or the recording(s) imported (paths relative to the repo's parent). */
  origins: z.array(z.string()),
  recordCount: z.number().int(),
  /** sha256 of the .jsonl file; for an award store, of its partition list (file and sha256 a line). */
  contentHash: z.string(),
  checkpoint: z.string().optional(),
  /** Structural state the parser reported (e.g. lists-removed). */
  state: z.string().optional(),
  lists: z.array(z.string()).optional(),
  /** Lists on the page the parser did not recognise (see ParseResult.unrecognisedLists). */
  unrecognisedLists: z.number().int().optional(),
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
  /** Award stores only: the partition files, in order. */
  partitions: z.array(partitionEntrySchema).optional(),
  /**
   * Award stores only: the award keys the last write added, removed and changed, per fiscal year (only
   * years with a change). Absent on the first partitioned write (nothing to compare with).
   */
  lastChange: z.array(partitionChangeSchema).optional(),
});
export type SnapshotMeta = z.infer<typeof snapshotMetaSchema>;
