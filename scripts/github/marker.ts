/**
 * Hidden markers in pull request, issue and comment bodies. They let the bot recognise its own
 * proposals whatever a maintainer does to labels or titles, and tell whether what it would render
 * now differs from what it rendered last time without comparing whole bodies (GitHub rewrites line
 * endings, and maintainers tick checklist boxes).
 */
import { z } from 'zod';

export const PROPOSAL_MARKER_TAG = 'icewatch:proposal';
export const DASHBOARD_MARKER_TAG = 'icewatch:dashboard';
export const NOTICE_MARKER_TAG = 'icewatch:notice';

const hashSchema = z.string().regex(/^[0-9a-f]{8,64}$/);

export const proposalMarkerSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  kind: z.enum(['add-company', 'status-change']),
  evidenceHash: z.string().min(1).max(128),
  /** Hash of the rendered title, body and files; absent in markers written by hand. */
  contentHash: hashSchema.optional(),
});
export type ProposalMarker = z.infer<typeof proposalMarkerSchema>;

export const dashboardMarkerSchema = z.object({ contentHash: hashSchema });
export type DashboardMarker = z.infer<typeof dashboardMarkerSchema>;

/** Left on a pull request when the bot could not update it (a maintainer's commits are on the branch). */
export const noticeMarkerSchema = z.object({
  id: z.string().min(1).max(200),
  contentHash: hashSchema,
});
export type NoticeMarker = z.infer<typeof noticeMarkerSchema>;

/**
 * JSON inside an HTML comment: `--` would end the comment early in some parsers and `<`/`>` could
 * open a tag, so those are written as JSON unicode escapes, which JSON.parse reads back unchanged.
 */
function commentSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/-(?=-)/g, '\\u002d')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e');
}

function writeMarker(tag: string, value: unknown): string {
  return `<!-- ${tag} ${commentSafeJson(value)} -->`;
}

function readMarker<T>(tag: string, schema: z.ZodType<T>, body: string | null | undefined): T | undefined {
  if (!body) return undefined;
  const start = body.indexOf(`<!-- ${tag} `);
  if (start < 0) return undefined;
  const end = body.indexOf('-->', start);
  if (end < 0) return undefined;
  const json = body.slice(start + tag.length + 6, end).trim();
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function writeProposalMarker(marker: ProposalMarker): string {
  const ordered: ProposalMarker = { id: marker.id, kind: marker.kind, evidenceHash: marker.evidenceHash };
  if (marker.contentHash) ordered.contentHash = marker.contentHash;
  return writeMarker(PROPOSAL_MARKER_TAG, ordered);
}

/** The marker in a PR body, or undefined when there is none or it is malformed. */
export function parseProposalMarker(body: string | null | undefined): ProposalMarker | undefined {
  return readMarker(PROPOSAL_MARKER_TAG, proposalMarkerSchema, body);
}

export function writeDashboardMarker(marker: DashboardMarker): string {
  return writeMarker(DASHBOARD_MARKER_TAG, { contentHash: marker.contentHash });
}

export function parseDashboardMarker(body: string | null | undefined): DashboardMarker | undefined {
  return readMarker(DASHBOARD_MARKER_TAG, dashboardMarkerSchema, body);
}

export function writeNoticeMarker(marker: NoticeMarker): string {
  return writeMarker(NOTICE_MARKER_TAG, { id: marker.id, contentHash: marker.contentHash });
}

export function parseNoticeMarker(body: string | null | undefined): NoticeMarker | undefined {
  return readMarker(NOTICE_MARKER_TAG, noticeMarkerSchema, body);
}
