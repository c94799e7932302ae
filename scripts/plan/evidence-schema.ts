/** The evidence file a proposal adds beside the company YAML; validated before any PR is written. */
import { z } from 'zod';

const awardEvidenceSchema = z.strictObject({
  awardKey: z.string(),
  piid: z.string(),
  kind: z.enum(['contract', 'idv']),
  source: z.string(),
  recipientName: z.string(),
  recipientUei: z.string().optional(),
  recipientDuns: z.string().optional(),
  agency: z.string().optional(),
  obligated: z.number().optional(),
  potential: z.number().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  lastDateToOrder: z.string().optional(),
  description: z.string().optional(),
  naics: z.string().optional(),
  psc: z.string().optional(),
  active: z.boolean(),
  url: z.string().url(),
});

const mentionEvidenceSchema = z.strictObject({
  source: z.string(),
  list: z.string(),
  name: z.string(),
  url: z.string().url().optional(),
  evidenceUrl: z.string().url().optional(),
  note: z.string().optional(),
});

export const evidenceFileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  candidateId: z.string(),
  name: z.string(),
  match: z.strictObject({
    relation: z.enum(['direct', 'subsidiary', 'via-reseller']),
    confidence: z.number().min(0).max(1),
    method: z.string(),
    reason: z.string(),
  }),
  awards: z.array(awardEvidenceSchema),
  mentions: z.array(mentionEvidenceSchema),
  snapshots: z.array(
    z.strictObject({ source: z.string(), contentHash: z.string(), retrievedAt: z.string(), origin: z.string() }),
  ),
});
