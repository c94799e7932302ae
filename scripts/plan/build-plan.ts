/**
 * The plan: a pure function of registry + snapshots + the last run's state. Nothing here reads files,
 * the network or the clock; the CLI passes everything in.
 */
import type { Config } from '../config.ts';
import { PROPOSAL_THRESHOLD, type Matcher } from '../match/types.ts';
import type { AwardRecord, CoverageRecord, MentionRecord, SourceRecord, TransactionRecord } from '../records.ts';
import { transactionsConfig } from '../config.ts';
import type { CompanyInput, Registry } from '../registry/schema.ts';
import type { SnapshotMeta } from '../snapshots/store.ts';
import { shortHash } from '../util/hash.ts';
import { stableStringify } from '../util/stable-json.ts';
import { attribute, awardReviewItem, type Attribution } from './attribute.ts';
import { addYears, agencyScope, awardEndDate, dedupeAwards, hasStarted, inTechScope, sumAmounts, toAwardEvidence } from './awards.ts';
import { summarizeCompanies, type CompanySummary } from './company-summary.ts';
import {
  attributeObligations,
  currentAndLastFiscalYear,
  summarizeObligations,
  transactionInTechScope,
  type ObligationsResult,
} from './obligations.ts';
import { evidenceFileSchema } from './evidence-schema.ts';
import type { LastRunState } from './last-run.ts';
import { diffLists } from './list-changes.ts';
import type {
  AddCompanyProposal,
  Candidate,
  EvidenceFile,
  ListChange,
  MentionEvidence,
  NewAward,
  Plan,
  Proposal,
  ReviewItem,
  SourceHealth,
  StatusChangeProposal,
  StatusTransition,
} from './types.ts';

/**
 * At most this many add proposals per plan (each with its YAML and evidence file). Far above the
 * configured caps on pull requests (proposals.maxOpen), so it never decides which ones open.
 */
export const PLAN_PROPOSAL_LIMIT = 200;

export interface PlanSource {
  id: string;
  kind: 'procurement' | 'watchdog';
  records: SourceRecord[];
  meta?: SnapshotMeta;
  /**
   * The snapshot exists but could not be read (corrupt, cut short, records without meta): the source is
   * unknown this run, which is not the same as empty. Nothing is inferred from it.
   */
  unreadable?: boolean;
}

export interface PlanInputs {
  asOf: string;
  config: Config;
  registry: Registry;
  sources: PlanSource[];
  health: SourceHealth[];
  previous?: LastRunState;
  matcher: Matcher;
  /** Name normalization used to group candidate spellings (the matcher's). */
  normalizeName: (name: string) => string;
  renderCompanyYaml: (company: CompanyInput) => string;
}

export interface PlanResult {
  plan: Plan;
  summaries: CompanySummary[];
  attribution: Attribution;
  /** In-scope, deduplicated awards from every procurement source. */
  awards: AwardRecord[];
  mentions: MentionRecord[];
  nextState: LastRunState;
  obligations: ObligationsResult;
}

export function buildPlan(inputs: PlanInputs): PlanResult {
  const { asOf, config, registry, previous } = inputs;
  const enabled = inputs.sources.filter((s) => config.sources[s.id] !== false);
  const awards = dedupeAwards(
    enabled.flatMap((s) => s.records.filter((r): r is AwardRecord => r.recordType === 'award')),
  ).filter(agencyScope(config));
  const mentions = enabled
    .flatMap((s) => s.records.filter((r): r is MentionRecord => r.recordType === 'mention'))
    .sort((a, b) => `${a.source}/${a.list}/${a.name}`.localeCompare(`${b.source}/${b.list}/${b.name}`));

  const attribution = attribute(awards, mentions, inputs.matcher);
  // Award keys are shared across procurement sources, so an unreadable one could have held any company's
  // awards: every status keeps the last run's value and no transition is inferred.
  const unknownSources = enabled.filter((s) => s.unreadable).map((s) => s.id).sort();
  const procurementUnknown = enabled.some((s) => s.unreadable && s.kind === 'procurement');
  const obligations = attributeObligations({
    transactions: enabled.flatMap((s) => s.records.filter((r): r is TransactionRecord => r.recordType === 'transaction')),
    coverage: enabled.flatMap((s) => s.records.filter((r): r is CoverageRecord => r.recordType === 'coverage')),
    datedAwards: awards,
    matcher: inputs.matcher,
    config,
    asOf,
  });
  const computed = summarizeCompanies(registry, attribution, asOf, obligations);
  const summaries = procurementUnknown && previous
    ? computed.map((s) => {
        const before = previous.companies[s.id];
        return before ? { ...s, status: before.status } : s;
      })
    : computed;

  const newAwards = previous ? findNewAwards(attribution, previous, asOf) : [];
  const transitions = previous && !procurementUnknown ? findTransitions(summaries, previous, attribution, asOf) : [];
  const watchdogIds = new Set(enabled.filter((s) => s.kind === 'watchdog' && s.meta).map((s) => s.id));
  // A list that vanished beside lists the parser did not recognise was most likely renamed: its names
  // are carried over (for the diff and the state) and it is reported as a structure change.
  const carried = previous ? unrecognisedListsCarried(enabled, previous) : [];
  const carriedMentions = carried.flatMap((l) => l.names.map((name) => ({ recordType: 'mention' as const, source: l.source, list: l.list, name })));
  const listChanges = previous
    ? [
        ...diffLists(previousMentions(previous), [...mentions, ...carriedMentions], { sources: watchdogIds }),
        ...carried.map((l) => ({
          source: l.source,
          list: l.list,
          added: [],
          removed: [],
          needsReview: true,
          structureChange: `the page has a list the parser does not recognise and no "${l.list}" list: probably a renamed heading; its ${l.names.length} name(s) are kept until the parser knows it`,
        })),
      ].sort((a, b) => listKey(a.source, a.list).localeCompare(listKey(b.source, b.list)))
    : [];

  const { candidates, review: candidateReview } = findCandidates(inputs, attribution, awards, obligations);
  const review = [...attribution.review, ...candidateReview].sort(compareReview);

  // Each proposal carries its files; a flood of candidates (a defaced list, a bulk of new recipients) must
  // not become a flood of files. Candidates stay in the plan; only the first ones become proposals.
  // Only the proposals kept are built (each renders YAML and checks its evidence); the rest are counted.
  const addProposals: AddCompanyProposal[] = [];
  let deferred = 0;
  for (const c of candidates) {
    const sinceDismissal = newSinceDismissal(c, inputs);
    if (sinceDismissal === null) continue;
    if (addProposals.length < PLAN_PROPOSAL_LIMIT) addProposals.push(proposalForCandidate(c, inputs, sinceDismissal));
    else deferred += 1;
  }
  const proposals: Proposal[] = [...addProposals, ...statusProposals(transitions, listChanges, inputs, attribution).slice(0, PLAN_PROPOSAL_LIMIT)];

  const nextState: LastRunState = {
    schemaVersion: 1,
    companies: Object.fromEntries(
      summaries.map((s) => {
        const before = procurementUnknown ? previous?.companies[s.id] : undefined;
        return [s.id, before ?? { status: s.status, awardKeys: s.awardKeys }];
      }),
    ),
    lists: listState([...mentions, ...carriedMentions], previous, watchdogIds),
    candidates: Object.fromEntries(candidates.map((c) => [c.companyId, c.awards.map((a) => a.awardKey)])),
  };

  return {
    plan: {
      asOf,
      sources: inputs.health,
      candidates,
      newAwards,
      transitions,
      listChanges,
      reviewQueue: review,
      proposals,
      ...(unknownSources.length > 0 ? { unknownSources } : {}),
      ...(deferred > 0 ? { proposalsDeferred: deferred } : {}),
      obligations: {
        recentSince: obligations.recentSince,
        coverage: obligations.coverage,
        companies: summaries.flatMap((s) => (s.obligations ? [{ companyId: s.id, name: s.name, status: s.status, ...s.obligations }] : [])),
      },
    },
    summaries,
    attribution,
    awards,
    mentions,
    nextState,
    obligations,
  };
}

function findNewAwards(attribution: Attribution, previous: LastRunState, asOf: string): NewAward[] {
  const out: NewAward[] = [];
  for (const [companyId, list] of [...attribution.awards.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const known = new Set(previous.companies[companyId]?.awardKeys ?? []);
    for (const { award, match } of list) {
      if (known.has(award.awardKey) || !hasStarted(award, asOf)) continue;
      out.push({
        companyId,
        relation: match.relation,
        confidence: match.confidence,
        reason: match.reason,
        award: toAwardEvidence(award, asOf),
      });
    }
  }
  return out.sort((a, b) => a.companyId.localeCompare(b.companyId) || a.award.awardKey.localeCompare(b.award.awardKey));
}

function findTransitions(
  summaries: CompanySummary[],
  previous: LastRunState,
  attribution: Attribution,
  asOf: string,
): StatusTransition[] {
  const out: StatusTransition[] = [];
  for (const summary of summaries) {
    const before = previous.companies[summary.id]?.status;
    if (before === undefined || before === summary.status) continue;
    const awards = (attribution.awards.get(summary.id) ?? [])
      .map(({ award }) => award)
      .filter((a) => hasStarted(a, asOf))
      .sort((a, b) => (awardEndDate(b) ?? '').localeCompare(awardEndDate(a) ?? ''))
      .slice(0, 10)
      .map((a) => toAwardEvidence(a, asOf));
    out.push({ companyId: summary.id, name: summary.name, from: before, to: summary.status, awards });
  }
  return out;
}

function listKey(source: string, list: string): string {
  return `${source}\u0000${list}`;
}

function currentLists(mentions: MentionRecord[]): Map<string, { source: string; list: string; names: string[] }> {
  const lists = new Map<string, { source: string; list: string; names: string[] }>();
  for (const m of mentions) {
    const key = listKey(m.source, m.list);
    const entry = lists.get(key) ?? { source: m.source, list: m.list, names: [] };
    entry.names.push(m.name);
    lists.set(key, entry);
  }
  for (const entry of lists.values()) entry.names = [...new Set(entry.names)].sort((a, b) => a.localeCompare(b));
  return lists;
}

/** A source without a snapshot this run keeps its previous lists: absence of data is not removal. */
function listState(mentions: MentionRecord[], previous: LastRunState | undefined, present: Set<string>): LastRunState['lists'] {
  const lists = currentLists(mentions);
  for (const old of previous?.lists ?? []) {
    if (!present.has(old.source)) lists.set(listKey(old.source, old.list), old);
  }
  return [...lists.values()].sort((a, b) => listKey(a.source, a.list).localeCompare(listKey(b.source, b.list)));
}

function unrecognisedListsCarried(sources: PlanSource[], previous: LastRunState): LastRunState['lists'] {
  const out: LastRunState['lists'] = [];
  for (const s of sources) {
    if (s.kind !== 'watchdog' || !s.meta?.unrecognisedLists || !s.meta.lists) continue;
    const present = new Set(s.meta.lists);
    for (const old of previous.lists) if (old.source === s.id && !present.has(old.list) && old.names.length > 0) out.push(old);
  }
  return out;
}

/** The last run's lists as mention records, so the watchdog change detection compares like with like. */
function previousMentions(previous: LastRunState): MentionRecord[] {
  return previous.lists.flatMap((l) => l.names.map((name) => ({ recordType: 'mention' as const, source: l.source, list: l.list, name })));
}

function slugify(normalized: string): string {
  return normalized
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

interface CandidateGroup {
  key: string;
  names: Map<string, number>;
  awards: AwardRecord[];
  mentions: MentionRecord[];
  uei?: string;
  /** Transactions of unlisted recipients in technology scope (usaspending-transactions). */
  transactions: TransactionRecord[];
}

function findCandidates(
  inputs: PlanInputs,
  attribution: Attribution,
  awards: AwardRecord[],
  obligations: ObligationsResult,
): { candidates: Candidate[]; review: ReviewItem[] } {
  const { config, asOf, registry } = inputs;
  // The award references the unmatched lists make, and which of them we hold (a set of every key, PIID and
  // link of a full history would be three million strings for a handful of references).
  const refs = new Set(attribution.unmatchedMentions.flatMap((m) => m.awardRefs ?? []));
  const knownAwards = new Set<string>();
  if (refs.size > 0) {
    for (const a of awards) {
      for (const id of [a.awardKey, a.piid, a.url.slice(a.url.lastIndexOf('/') + 1)]) if (refs.has(id)) knownAwards.add(id);
    }
  }
  const since = addYears(asOf, -config.scope.lookbackYears);
  const groups = new Map<string, CandidateGroup>();
  const group = (name: string): CandidateGroup => {
    const key = inputs.normalizeName(name) || name.toLowerCase();
    let g = groups.get(key);
    if (!g) {
      g = { key, names: new Map(), awards: [], mentions: [], transactions: [] };
      groups.set(key, g);
    }
    g.names.set(name, (g.names.get(name) ?? 0) + 1);
    return g;
  };
  for (const award of attribution.unmatchedAwards) {
    if (!inTechScope(award, config) || !hasStarted(award, asOf)) continue;
    const end = awardEndDate(award);
    if (end !== undefined && end < since) continue;
    const g = group(award.recipient.name);
    g.awards.push(award);
    g.uei ??= award.recipient.uei;
  }
  for (const mention of attribution.unmatchedMentions) group(mention.name).mentions.push(mention);
  // Transactions name no UEI: only the exact (normalized) recipient name groups them with other evidence.
  const inScopeAwards = new Set(obligations.unmatched.filter((t) => transactionInTechScope(t, config)).map((t) => t.awardKey));
  for (const t of obligations.unmatched) if (inScopeAwards.has(t.awardKey)) group(t.recipient.name).transactions.push(t);
  const [currentYear, lastYear] = currentAndLastFiscalYear(asOf);
  const minPaid = transactionsConfig(config).candidateMinObligated;

  const candidates: Candidate[] = [];
  const review: ReviewItem[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    const name = [...g.names.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const companyId = slugify(g.key) || slugify(name);
    const obligated = sumAmounts(g.awards.map((a) => a.amounts.obligated));
    const mentionSources = new Set(g.mentions.map((m) => m.source));
    // A list's link to usaspending.gov is evidence only when it resolves to an ICE award we hold; any
    // page can carry such a link, so an unresolved one makes the entry a plain mention.
    const mentionEvidence = g.mentions.some((m) => (m.awardRefs ?? []).some((ref) => knownAwards.has(ref)) || m.amount !== undefined);
    const paidIn = (year: number) => sumAmounts(g.transactions.filter((t) => t.fiscalYear === year).map((t) => t.obligated));
    const byObligations = g.transactions.length > 0 && (paidIn(currentYear) >= minPaid || paidIn(lastYear) >= minPaid);
    const byAward = (g.awards.length > 0 && obligated >= config.scope.minObligated) || byObligations;
    const byMentions = mentionSources.size >= config.proposals.mentionOnlyMinSources || mentionEvidence;
    if (!companyId && g.awards.length > 0 && byAward) {
      // A name with no Latin letters or digits (株式会社テスト) has no registry id to propose under; it is
      // never dropped: it goes to review under its raw spelling, one row per award.
      for (const award of [...g.awards].sort((a, b) => a.awardKey.localeCompare(b.awardKey))) {
        review.push(awardReviewItem(award, []));
      }
      continue;
    }
    if (!companyId || registry.byId.has(companyId) || (!byAward && !byMentions)) {
      if (g.mentions.length > 0 && g.awards.length === 0) {
        review.push({
          kind: 'mention',
          name,
          source: [...mentionSources].sort().join(', '),
          list: [...new Set(g.mentions.map((m) => m.list))].sort().join(', '),
          url: g.mentions[0]?.evidenceUrl ?? g.mentions[0]?.url,
          matches: [],
        });
      }
      continue;
    }
    const because = [
      ...(g.awards.length > 0 && obligated >= config.scope.minObligated ? ['tech-scope-award'] : []),
      ...(byObligations ? ['tech-scope-obligations'] : []),
      ...(g.mentions.length > 0 ? ['watchdog-mention'] : []),
    ];
    const paid = g.transactions.length > 0 ? summarizeObligations(g.transactions, obligations.yearComplete, obligations.recentSince, asOf) : undefined;
    const txAwards = (paid?.largestAwards ?? []).filter((a) => a.obligated > 0 && !g.awards.some((x) => x.awardKey === a.awardKey));
    const confidence = byAward ? 1 : PROPOSAL_THRESHOLD;
    const awardEvidence = [
      ...g.awards.map((a) => toAwardEvidence(a, asOf)),
      // Transactions give no end date: such an award is never shown as active.
      ...txAwards.map((a) => ({
        awardKey: a.awardKey,
        piid: a.piid,
        kind: a.awardKey.startsWith('CONT_IDV_') ? ('idv' as const) : ('contract' as const),
        source: 'usaspending-transactions',
        recipientName: a.recipientName,
        agency: config.agencies.map((x) => x.name).join(', '),
        obligated: a.obligated,
        description: `${a.transactions} transaction(s), last action ${a.lastActionDate}`,
        active: false,
        url: a.url,
      })),
    ].sort((a, b) => a.awardKey.localeCompare(b.awardKey));
    const noUei = byObligations && !g.uei ? '; the transactions source has no UEI: matched on the exact recipient name only' : '';
    candidates.push({
      companyId,
      name,
      confidence,
      match: byAward
        ? {
            relation: 'direct',
            confidence,
            method: g.uei ? 'uei' : 'legal-name',
            reason:
              (g.awards.length > 0
                ? `recipient of ${g.awards.length} ICE award(s) in technology scope${g.uei ? ` (UEI ${g.uei})` : ''}`
                : `recipient of ${g.transactions.length} ICE transaction(s) in technology scope`) +
              (byObligations ? `; obligated ${paidIn(currentYear).toFixed(2)} USD in FY${currentYear} and ${paidIn(lastYear).toFixed(2)} USD in FY${lastYear}` : '') +
              noUei,
          }
        : {
            relation: 'direct',
            confidence,
            method: 'legal-name',
            reason: `named by ${[...mentionSources].sort().join(' and ')}`,
          },
      awards: awardEvidence,
      mentions: g.mentions.map(toMentionEvidence),
      totalObligated: g.awards.length > 0 ? obligated : (paid ? sumAmounts(paid.byFiscalYear.map((y) => y.obligated)) : 0),
      because,
      isNew: !inputs.previous || !(companyId in inputs.previous.candidates),
      ...(paid ? { obligations: paid } : {}),
    });
  }
  candidates.sort((a, b) => b.totalObligated - a.totalObligated || a.companyId.localeCompare(b.companyId));
  return { candidates, review };
}

function toMentionEvidence(m: MentionRecord): MentionEvidence {
  return { source: m.source, list: m.list, name: m.name, url: m.url, evidenceUrl: m.evidenceUrl, note: m.note };
}

export function evidenceHashOf(awardKeys: string[], mentions: MentionEvidence[]): string {
  return shortHash(
    stableStringify({
      awards: [...awardKeys].sort(),
      mentions: mentions.map((m) => `${m.source}/${m.list}/${m.name}`).sort(),
    }),
  );
}

function snapshotRefs(inputs: PlanInputs, sources: Set<string>): EvidenceFile['snapshots'] {
  return inputs.sources
    .filter((s) => sources.has(s.id) && s.meta)
    .map((s) => ({
      source: s.id,
      contentHash: s.meta!.contentHash,
      retrievedAt: s.meta!.retrievedAt,
      origin: s.meta!.origins.join(', '),
    }))
    .sort((a, b) => a.source.localeCompare(b.source));
}

/**
 * For a dismissed candidate, its awards the dismissal did not know (undefined: never dismissed); null when
 * there are none: dismissed stays dismissed until there is a new award to show.
 */
function newSinceDismissal(candidate: Candidate, inputs: PlanInputs): string[] | undefined | null {
  const dismissal = inputs.registry.dismissed.find((d) => d.id === candidate.companyId);
  if (!dismissal) return undefined;
  const known = new Set(dismissal.awardKeys ?? []);
  const fresh = candidate.awards.map((a) => a.awardKey).filter((k) => !known.has(k));
  return fresh.length === 0 ? null : fresh;
}

function proposalForCandidate(candidate: Candidate, inputs: PlanInputs, newSinceDismissal: string[] | undefined): AddCompanyProposal {
  const awardKeys = candidate.awards.map((a) => a.awardKey);
  const evidenceHash = evidenceHashOf(awardKeys, candidate.mentions);
  const evidence: EvidenceFile = evidenceFileSchema.parse({
    schemaVersion: 1,
    candidateId: candidate.companyId,
    name: candidate.name,
    match: candidate.match,
    awards: candidate.awards,
    mentions: candidate.mentions,
    snapshots: snapshotRefs(inputs, new Set([...candidate.awards.map((a) => a.source), ...candidate.mentions.map((m) => m.source)])),
  }) as EvidenceFile;
  const uei = candidate.awards.find((a) => a.recipientUei)?.recipientUei;
  const duns = candidate.awards.find((a) => a.recipientDuns)?.recipientDuns;
  const firstAward = candidate.awards[0];
  const legalNames = [...new Set(candidate.awards.map((a) => a.recipientName))].sort();
  const company: CompanyInput = {
    id: candidate.companyId,
    name: candidate.name,
    aliases: legalNames.length > 0 ? { legal: legalNames } : undefined,
    identifiers:
      uei || duns
        ? {
            ...(uei ? { uei: [{ value: uei, source: `${firstAward?.source}: ${candidate.awards.find((a) => a.recipientUei)?.awardKey}` }] } : {}),
            ...(duns ? { duns: [{ value: duns, source: `${firstAward?.source}: ${candidate.awards.find((a) => a.recipientDuns)?.awardKey}` }] } : {}),
          }
        : undefined,
    roles: ['vendor'],
    evidence: [
      ...candidate.awards.slice(0, 10).map((a) => ({
        url: a.url,
        title: `ICE award ${a.piid}`,
        publisher: 'USAspending.gov',
        date: a.start ?? inputs.asOf,
        kind: 'award' as const,
        summary: `Awarded ${a.awardKey} by ICE${a.obligated !== undefined ? `; obligated $${a.obligated.toFixed(2)}` : ''}${a.end ? `; ends ${a.end}` : ''}.`,
      })),
      ...candidate.mentions.slice(0, 10).flatMap((m) => {
        // Registry evidence must be https; sources also keep plain http links, which would fail the render.
        const url = [m.evidenceUrl, m.url].find((u) => u?.startsWith('https://'));
        return url
          ? [{ url, title: `Listed by ${m.source} (${m.list})`, publisher: m.source, date: inputs.asOf, kind: 'watchdog-list' as const, summary: `Listed by ${m.source} on its ${m.list} list.` }]
          : [];
      }),
    ],
  };
  return {
    kind: 'add-company',
    companyId: candidate.companyId,
    name: candidate.name,
    confidence: candidate.confidence,
    registryFile: { path: `data/registry/companies/${candidate.companyId}.yaml`, content: inputs.renderCompanyYaml(company) },
    evidenceFile: { path: `data/registry/evidence/${candidate.companyId}.json`, content: `${stableStringify(evidence, 2)}\n` },
    evidence,
    evidenceHash,
    ...(newSinceDismissal ? { newSinceDismissal } : {}),
  };
}

function statusProposals(
  transitions: StatusTransition[],
  listChanges: ListChange[],
  inputs: PlanInputs,
  attribution: Attribution,
): StatusChangeProposal[] {
  const out: StatusChangeProposal[] = [];
  for (const t of transitions) {
    if (t.from !== 'active') continue;
    const company = inputs.registry.byId.get(t.companyId);
    if (!company) continue;
    const last = t.awards[0];
    const reason = last
      ? `its last active ICE award ${last.awardKey} ended (${last.kind === 'idv' ? (last.lastDateToOrder ?? last.end) : last.end})`
      : 'no ICE award is active any more';
    const stillPaid = t.to === 'recent-obligations' ? '; ICE still obligated money to it recently, on awards whose end date is not known' : '';
    const entry = last
      ? { url: last.url, title: `ICE award ${last.piid} ended`, publisher: 'USAspending.gov', date: inputs.asOf, kind: 'award' as const, summary: `No active ICE award as of ${inputs.asOf}: ${reason}.` }
      : undefined;
    out.push({
      kind: 'status-change',
      companyId: t.companyId,
      name: t.name,
      from: t.from,
      to: t.to,
      reason: `${reason}${stillPaid}`,
      awards: t.awards,
      mentions: [],
      evidenceHash: evidenceHashOf(t.awards.map((a) => a.awardKey), []),
      files: entry
        ? [{ path: `data/registry/companies/${company.id}.yaml`, content: inputs.renderCompanyYaml({ ...company, evidence: [...company.evidence, entry] }) }]
        : [],
    });
  }
  for (const change of listChanges) {
    for (const removedName of change.removed) {
      const hit = inputs.matcher.match({ name: removedName }).find((m) => m.confidence >= PROPOSAL_THRESHOLD);
      const company = hit ? inputs.registry.byId.get(hit.companyId) : undefined;
      if (!company) continue;
      const still = (attribution.mentions.get(company.id) ?? []).some(
        (m) => m.mention.source === change.source && m.mention.list === change.list,
      );
      if (still) continue;
      const mention: MentionEvidence = { source: change.source, list: change.list, name: removedName };
      out.push({
        kind: 'status-change',
        companyId: company.id,
        name: company.name,
        from: 'active',
        to: 'active',
        reason: `${change.source} no longer lists it on its ${change.list} list; this alone does not mean it dropped ICE — please review`,
        awards: [],
        mentions: [mention],
        evidenceHash: evidenceHashOf([], [mention]),
        files: [],
      });
    }
  }
  return out.sort((a, b) => a.companyId.localeCompare(b.companyId));
}

function compareReview(a: ReviewItem, b: ReviewItem): number {
  return `${a.kind}/${a.name}/${a.awardKey ?? a.list ?? ''}`.localeCompare(`${b.kind}/${b.name}/${b.awardKey ?? b.list ?? ''}`);
}
