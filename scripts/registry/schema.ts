/**
 * The curated registry: one YAML file per company under data/registry/companies/<id>.yaml, plus
 * data/registry/dismissed.yaml. This zod schema is the single source of truth: the loader validates
 * against it and the published JSON Schema is generated from it.
 */
import { z } from 'zod';

export const companyIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id (a-z, 0-9, single hyphens)');

// z.iso.date() checks the calendar (no 2024-02-30) and publishes as `format: date` in the JSON Schema.
const isoDate = z.iso.date({ error: 'expected a real calendar date written YYYY-MM-DD' });
/** Message the loader recognises to report a non-https link under its own rule name (`https-url`). */
export const HTTPS_URL_MESSAGE = 'expected an https:// URL';
// The regex (not a refine) so the JSON Schema carries the rule as `pattern`; regex before url() so the
// schema keeps `format: uri` too. A bare z.url() would accept javascript: and http: links.
const httpsUrl = z.string().regex(/^https:\/\/\S+$/, HTTPS_URL_MESSAGE).url();

/**
 * Ownership in time. `since` is the first day a name, unit, term or identifier belongs to the company
 * (an acquisition's closing date); `until` is the first day it no longer does (the day the next owner
 * took it over, so one owner's `until` can equal the next one's `since`). Both optional: open-ended.
 * Matching compares them with the record's date (award start, or a transaction's action date); a
 * record without a date is taken as of now, so an entry with `until` does not match it.
 */
const since = isoDate.optional();
const until = isoDate.optional();

/** Format checks for UEI/DUNS live in validate.ts so they come out as named, located problems. */
const identifier = z.strictObject({
  value: z.string().min(1),
  since,
  until,
  /** Older spelling of `since` (inclusive first day); use one or the other. */
  validFrom: isoDate.optional(),
  /** Older spelling: the last day the identifier was valid (inclusive, unlike `until`). */
  validTo: isoDate.optional(),
  /** Where we saw it: a fixture file and award key, or a URL. */
  source: z.string().min(1),
});
export type Identifier = z.infer<typeof identifier>;

export const identifiersSchema = z.strictObject({
  uei: z.array(identifier).optional(),
  duns: z.array(identifier).optional(),
  cage: z.array(identifier).optional(),
});

export const aliasesSchema = z.strictObject({
  /** Legal names, current and former (matched exactly after normalization). */
  legal: z.array(z.string().min(1)).optional(),
  /** Other names distinctive enough to match exactly (brands, short names). */
  strong: z.array(z.string().min(1)).optional(),
  /** Acronyms and generic words: match only when they are the whole recipient name. */
  weak: z.array(z.string().min(1)).optional(),
});

export const productSchema = z.strictObject({
  /** A brand or product term searched (whole words) in award descriptions, e.g. "Gotham", "Azure". */
  term: z.string().min(2),
  /** How surely the term alone means this company: high ≥ 0.9 can drive a proposal. */
  specificity: z.enum(['high', 'medium', 'low']),
  /** The term is this company's from this date (a product line it acquired). */
  since,
  /** … and no longer from this date (a product line it sold). */
  until,
});

export const subsidiarySchema = z.strictObject({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).optional(),
  identifiers: identifiersSchema.optional(),
  /** Day the company acquired (or formed) the unit; awards before it are not the company's. */
  since,
  /** Day the company sold the unit (or the next owner took it over). */
  until,
  /** Where the dates come from (an SEC filing or press release): https, required with since/until. */
  source: httpsUrl.optional(),
  note: z.string().optional(),
});
export type Subsidiary = z.infer<typeof subsidiarySchema>;

export const partnershipSchema = z.strictObject({
  status: z.enum(['declined', 'past-partner', 'never-reached-out']),
  /** Date the organisation's page first listed it so. */
  since: isoDate,
  /** Date it stopped being listed so, if it did. */
  until: isoDate.optional(),
  source: httpsUrl,
  note: z.string().optional(),
});

export const evidenceSchema = z.strictObject({
  url: httpsUrl,
  title: z.string().min(1),
  publisher: z.string().min(1),
  date: isoDate,
  kind: z.enum(['award', 'watchdog-list', 'policy-page', 'news', 'filing', 'company-statement', 'other']),
  summary: z.string().min(1),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const companySchema = z.strictObject({
  id: companyIdSchema,
  name: z.string().min(1),
  website: httpsUrl.optional(),
  aliases: aliasesSchema.optional(),
  products: z.array(productSchema).optional(),
  /** Names that look like this company but are not (e.g. "Cisco-Eagle" for Cisco). Never matched. */
  falseFriends: z.array(z.string().min(1)).optional(),
  identifiers: identifiersSchema.optional(),
  /**
   * The company's own existence in the record: its names and identifiers hold only from `since` (a
   * spin-off that took over a name: new SAIC, 2013-09-27) until `until`. Its units cannot be owned earlier.
   */
  since,
  until,
  /** Registry id of the parent company (Twitch → amazon). */
  parent: companyIdSchema.optional(),
  /** Day `parent` acquired this company; before it the company is not its parent's. */
  parentSince: isoDate.optional(),
  /** Day `parent` stopped owning it (kept for history: the company was sold or spun off). */
  parentUntil: isoDate.optional(),
  subsidiaries: z.array(subsidiarySchema).optional(),
  roles: z.array(z.enum(['vendor', 'reseller'])).min(1).default(['vendor']),
  partnership: z.array(partnershipSchema).optional(),
  evidence: z.array(evidenceSchema).default([]),
  notes: z.string().optional(),
});
export type Company = z.infer<typeof companySchema>;
export type CompanyInput = z.input<typeof companySchema>;

export const dismissedEntrySchema = z.strictObject({
  /** Candidate id (the slug a proposal would have used). */
  id: companyIdSchema,
  name: z.string().min(1),
  reason: z.string().min(1),
  date: isoDate,
  /** Hash of the evidence that was dismissed; new evidence (a new award) may bring the candidate back. */
  evidenceHash: z.string().optional(),
  /** Award keys known when it was dismissed. */
  awardKeys: z.array(z.string()).optional(),
  /** PR that was closed, when dismissal came from a closed-unmerged PR. */
  pullRequest: z.string().optional(),
});
export type DismissedEntry = z.infer<typeof dismissedEntrySchema>;

export const dismissedFileSchema = z.strictObject({
  dismissed: z.array(dismissedEntrySchema).default([]),
});

export interface Registry {
  companies: Company[];
  byId: Map<string, Company>;
  dismissed: DismissedEntry[];
}
