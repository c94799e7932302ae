/**
 * The published JSON contract for site consumers (data/published/v1/companies.json). Bump
 * PUBLISHED_SCHEMA_VERSION's major for breaking changes and record every change in
 * data/published/CHANGELOG.md.
 */
import { z } from 'zod';

export const PUBLISHED_SCHEMA_VERSION = '1.0.0';
export const SCHEMA_BASE_URL = 'https://icewatch.github.io/icewatch/v1/schema/';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const publishedSourceSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  homepage: z.string().url(),
  kind: z.enum(['procurement', 'watchdog']),
  lastSuccess: z.string().nullable().describe('When the source was last fetched or imported successfully'),
  staleAfter: z.string().nullable().describe('Date after which the snapshot counts as stale if not refreshed'),
  recordCount: z.number().int(),
  contentHash: z.string().nullable(),
  state: z.string().nullable(),
});

export const publishedEvidenceSchema = z.strictObject({
  url: z.string().url(),
  title: z.string(),
  publisher: z.string(),
  date: isoDate,
  kind: z.string(),
  summary: z.string(),
});

export const publishedCompanySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  roles: z.array(z.enum(['vendor', 'reseller'])),
  website: z.string().url().nullable(),
  status: z.enum(['active', 'ended', 'no-record']).describe('ICE contract status as of `asOf`'),
  partnership: z.array(
    z.strictObject({
      status: z.enum(['declined', 'past-partner', 'never-reached-out']),
      since: isoDate,
      until: isoDate.nullable(),
      source: z.string().url(),
    }),
  ),
  ice: z.strictObject({
    awardCount: z.number().int(),
    activeAwardCount: z.number().int(),
    obligated: z.number().describe('USD, sum of obligations of matched direct and subsidiary awards'),
    activeObligated: z.number(),
    firstAwardStart: isoDate.nullable(),
    lastAwardEnd: isoDate.nullable(),
    resellerChannel: z.strictObject({
      awardCount: z.number().int(),
      activeAwardCount: z.number().int(),
      obligatedLowerBound: z.number(),
      isLowerBound: z.literal(true),
    }),
  }),
  watchdogLists: z.array(z.strictObject({ source: z.string(), list: z.string() })),
  evidence: z.array(publishedEvidenceSchema),
});

export const publishedCompaniesSchema = z.strictObject({
  $schema: z.string().url(),
  schemaVersion: z.string(),
  generatedAt: z.string().describe('When this content was first generated; unchanged while the content is unchanged'),
  asOf: isoDate.describe('Statuses hold as of this date; kept while no status or total changes'),
  policy: z.strictObject({ activeDefinition: z.string(), source: z.string().url() }),
  totals: z.strictObject({
    companies: z.number().int(),
    active: z.number().int(),
    ended: z.number().int(),
    noRecord: z.number().int(),
  }),
  sources: z.array(publishedSourceSchema),
  companies: z.array(publishedCompanySchema),
});
export type PublishedCompanies = z.infer<typeof publishedCompaniesSchema>;

export const changesFeedSchema = z.strictObject({
  $schema: z.string().url(),
  schemaVersion: z.string(),
  entries: z.array(
    z.strictObject({
      asOf: isoDate,
      companiesProposed: z.array(z.strictObject({ id: z.string(), name: z.string(), awards: z.number().int() })),
      statusChanges: z.array(z.strictObject({ id: z.string(), from: z.string(), to: z.string() })),
      newAwards: z.array(z.strictObject({ id: z.string(), awardKey: z.string(), obligated: z.number().nullable(), url: z.string().url() })),
      listChanges: z.array(z.strictObject({ source: z.string(), list: z.string(), added: z.array(z.string()), removed: z.array(z.string()) })),
    }),
  ),
});
export type ChangesFeed = z.infer<typeof changesFeedSchema>;
