import type { Config } from '../../scripts/config.ts';
import type { Match, Matcher, MatchInput } from '../../scripts/match/types.ts';
import type { AwardRecord, MentionRecord } from '../../scripts/records.ts';
import { companySchema, type CompanyInput, type Registry } from '../../scripts/registry/schema.ts';

export const config: Config = {
  agencies: [{ name: 'U.S. Immigration and Customs Enforcement', toptier: 'Department of Homeland Security', code: '7012' }],
  scope: { naicsPrefixes: ['5415', '518'], pscPrefixes: ['D', '70'], minObligated: 25000, lookbackYears: 5 },
  health: { staleAfterDays: { procurement: 3, watchdog: 14 } },
  sources: {},
  proposals: { maxNewPerRun: 5, maxOpen: 20, draftBelowThreshold: false, mentionOnlyMinSources: 2 },
};

export function registryOf(companies: CompanyInput[], dismissed: Registry['dismissed'] = []): Registry {
  const parsed = companies.map((c) => companySchema.parse(c));
  return { companies: parsed, byId: new Map(parsed.map((c) => [c.id, c])), dismissed };
}

let seq = 0;
export function award(partial: Partial<AwardRecord> & { recipient: AwardRecord['recipient'] }): AwardRecord {
  seq += 1;
  const piid = partial.piid ?? `70CTD0${String(seq).padStart(4, '0')}`;
  const key = partial.awardKey ?? `CONT_AWD_${piid}_7012_-NONE-_-NONE-`;
  return {
    recordType: 'award',
    source: 'usaspending',
    awardKey: key,
    piid,
    kind: 'contract',
    amounts: { obligated: 100000 },
    awardingSubAgency: 'U.S. Immigration and Customs Enforcement',
    awardingAgencyCode: '7012',
    url: `https://www.usaspending.gov/award/${key}`,
    ...partial,
  };
}

export function mention(name: string, source = 'techqueria', list = 'declined', extra: Partial<MentionRecord> = {}): MentionRecord {
  return { recordType: 'mention', source, list, name, ...extra };
}

/** A matcher that knows exact upper-cased names only: enough to test the plan without the real matcher. */
export function fakeMatcher(table: Record<string, Match[]>): Matcher {
  const match = (input: MatchInput): Match[] => table[input.name.toUpperCase()] ?? [];
  return {
    match,
    matchAward: (a) => match({ name: a.recipient.name, description: a.description }),
    matchMention: (m) => match({ name: m.name }),
  };
}

export const direct = (companyId: string, confidence = 1): Match => ({
  companyId,
  relation: 'direct',
  confidence,
  method: 'legal-name',
  reason: `test: ${companyId}`,
});
