/**
 * The published JSON contract for site consumers (data/published/v1/companies.json). Bump
 * PUBLISHED_SCHEMA_VERSION's major for breaking changes and record every change in
 * data/published/CHANGELOG.md.
 */
import { z } from 'zod';

export const PUBLISHED_SCHEMA_VERSION = '1.2.0';
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

export const COMPANY_STATUSES = ['active', 'recent-obligations', 'ended', 'no-record'] as const;

export const publishedFiscalYearSchema = z.strictObject({
  fiscalYear: z.number().int().describe('U.S. federal fiscal year (FY2026 = 2025-10-01 to 2026-09-30)'),
  obligated: z.number().describe('USD obligated by ICE in that year (sum of transactions; de-obligations negative)'),
  transactions: z.number().int(),
  complete: z.boolean().describe('false: the listing for this year was incomplete, so `obligated` and `transactions` are lower bounds'),
});

export const publishedObligationAwardSchema = z.strictObject({
  awardKey: z.string().describe('USAspending generated award id'),
  piid: z.string(),
  obligated: z.number().describe('USD obligated on this award over the fiscal years held'),
  transactions: z.number().int(),
  lastActionDate: isoDate.describe('Date of the latest transaction: an action date, not an end date'),
  url: z.string().url().describe('https://www.usaspending.gov/award/<generated award id>'),
});

export const publishedCoverageSchema = z.strictObject({
  fiscalYear: z.number().int(),
  complete: z.boolean().describe('false: at least one listing of the year came back short; its totals are lower bounds'),
  transactions: z.number().int(),
  obligated: z.number(),
  listings: z.array(
    z.strictObject({
      agencyCode: z.string(),
      group: z.enum(['contracts', 'idvs']),
      rows: z.number().int(),
      expected: z.number().int().optional().describe('What the count endpoint (or the recording) says the listing holds'),
      shortfall: z.number().int().optional(),
      complete: z.boolean(),
      through: isoDate.optional().describe('Latest action date held'),
      basis: z.string(),
    }),
  ),
});

export const publishedCompanySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  roles: z.array(z.enum(['vendor', 'reseller'])),
  website: z.string().url().nullable(),
  status: z
    .enum(COMPANY_STATUSES)
    .describe('ICE contract status as of `asOf`; `recent-obligations`: ICE obligated money within the recent window on an award whose end date is not known'),
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
    byFiscalYear: z
      .array(publishedFiscalYearSchema)
      .describe('ICE obligations per fiscal year from transactions, ascending; `complete: false` marks a lower bound'),
    lastActionDate: isoDate.optional().describe('Latest ICE transaction (an action date, not an end date)'),
    largestAwards: z.array(publishedObligationAwardSchema).describe('Awards with the most obligated over the fiscal years held (at most 5)'),
  }),
  watchdogLists: z.array(z.strictObject({ source: z.string(), list: z.string() })),
  evidence: z.array(publishedEvidenceSchema),
});

export const publishedCompaniesSchema = z.strictObject({
  $schema: z.string().url(),
  schemaVersion: z.string(),
  generatedAt: z.string().describe('When this content was first generated; unchanged while the content is unchanged'),
  asOf: isoDate.describe('Statuses hold as of this date; kept while no status or total changes'),
  policy: z.strictObject({ activeDefinition: z.string(), recentObligationsDefinition: z.string(), source: z.string().url() }),
  totals: z.strictObject({
    companies: z.number().int(),
    active: z.number().int(),
    recentObligations: z.number().int(),
    ended: z.number().int(),
    noRecord: z.number().int(),
  }),
  sources: z.array(publishedSourceSchema),
  fiscalYears: z.array(publishedCoverageSchema).describe('Completeness of the ICE transaction listings behind `ice.byFiscalYear`'),
  companies: z.array(publishedCompanySchema),
});
export type PublishedCompanies = z.infer<typeof publishedCompaniesSchema>;

export const changesFeedSchema = z.strictObject({
  $schema: z.string().url(),
  schemaVersion: z.string(),
  entries: z.array(
    z.strictObject({
      asOf: isoDate,
      companiesProposed: z
        .array(z.strictObject({ id: z.string(), name: z.string(), awards: z.number().int() }))
        .describe('Companies the run proposed, the ones with the most awards first when there are more than the feed lists (companiesProposedCount)'),
      companiesProposedCount: z.number().int().optional().describe('How many companies the run proposed, when companiesProposed lists only some of them'),
      statusChanges: z.array(z.strictObject({ id: z.string(), from: z.string(), to: z.string() })),
      newAwards: z
        .array(z.strictObject({ id: z.string(), awardKey: z.string(), obligated: z.number().nullable(), url: z.string().url() }))
        .describe(
          'New awards of registry companies; when there are more than the feed lists (newAwardCount), the largest by obligated. Every one is in the run report\'s detail file, reports/<asOf>.detail.parquet',
        ),
      newAwardCount: z.number().int().optional().describe('How many new awards the run found, when newAwards lists only the largest'),
      listChanges: z.array(
        z.strictObject({
          source: z.string(),
          list: z.string(),
          added: z.array(z.string()).describe('Names added to the list (the first 200 when addedCount is set)'),
          addedCount: z.number().int().optional().describe('How many names were added, when added lists only some'),
          removed: z.array(z.string()).describe('Names removed from the list (the first 200 when removedCount is set)'),
          removedCount: z.number().int().optional().describe('How many names were removed, when removed lists only some'),
        }),
      ),
    }),
  ),
});
export type ChangesFeed = z.infer<typeof changesFeedSchema>;
