/**
 * The run report for researchers: what changed and why, every claim with its award key, amount, dates and
 * link. Source health comes first, because a stale source qualifies everything below it.
 */
import type { Attribution } from '../plan/attribute.ts';
import { fiscalYear, hasStarted, sumAmounts } from '../plan/awards.ts';
import type { AwardEvidence, Plan } from '../plan/types.ts';
import { escapeMarkdown, markdownLink } from '../util/sanitize.ts';
import { stableJsonChunks } from '../util/json-chunks.ts';
import { reportDetailFile, type DetailSection } from './report-detail.ts';
import { largest, reportDocument } from './report-json.ts';
import { formatUsd, table } from './format.ts';
import { coverageNote, figureCell, obligationsChart } from './obligations-markdown.ts';
import type { PlanObligations } from '../plan/types.ts';
import { appendTo } from '../util/group.ts';

/**
 * The Markdown report stays readable at full-history scale, and within what GitHub renders and accepts as
 * a job summary (1 MiB): a long section shows its largest rows and counts the rest, and the detail
 * Parquet beside the report carries every row.
 */
const DETAILED_CANDIDATES = 25;
const AWARDS_PER_CANDIDATE = 10;
const MAX_TABLE_ROWS = 200;
const LIST_NAMES = 50;

function moreInDetail(count: number, asOf: string, section: DetailSection): string {
  return `…and ${count} more in \`${reportDetailFile(asOf)}\` (section \`${section}\`).`;
}

export interface ReportFiles {
  markdown: string;
  /** The full plan as JSON, in pieces: at full-history scale it exceeds the longest string V8 can hold. */
  jsonChunks: () => Iterable<string>;
  /** The same JSON as one string (small plans only). */
  readonly json: string;
  /** True when the plan holds anything new (a dated report is then kept). */
  changed: boolean;
}

export function obligationsByFiscalYear(attribution: Attribution, asOf: string): Array<{ fiscalYear: number; obligated: number }> {
  const byYear = new Map<number, Array<number | undefined>>();
  const seen = new Set<string>();
  for (const list of attribution.awards.values()) {
    for (const { award } of list) {
      if (!award.start || !hasStarted(award, asOf) || seen.has(award.awardKey)) continue;
      seen.add(award.awardKey);
      const fy = fiscalYear(award.start);
      appendTo(byYear, fy, award.amounts.obligated);
    }
  }
  return [...byYear.entries()].sort(([a], [b]) => a - b).map(([fy, values]) => ({ fiscalYear: fy, obligated: sumAmounts(values) }));
}

export function renderReport(plan: Plan, attribution: Attribution): ReportFiles {
  const newCandidates = plan.candidates.filter((c) => c.isNew);
  const changed =
    newCandidates.length + plan.newAwards.length + plan.transitions.length + plan.listChanges.length + (plan.unknownSources?.length ?? 0) > 0;
  const chart = obligationsByFiscalYear(attribution, plan.asOf);
  const out: string[] = [];
  out.push(`# icewatch report — ${plan.asOf}`, '');
  out.push('## Source health', '');
  out.push(
    table([
      ['Source', 'Health', 'Records', 'Last success', 'Note'],
      ...plan.sources.map((h) => [
        escapeMarkdown(h.title),
        h.state === 'ok' ? 'ok' : `**${h.state}**${h.ageDays !== undefined ? ` (${h.ageDays} d old)` : ''}`,
        String(h.records),
        h.lastSuccess?.slice(0, 10) ?? 'never',
        escapeMarkdown([h.sourceState, h.message].filter(Boolean).join('; '), 200),
      ]),
    ]),
    '',
  );
  const stale = plan.sources.filter((h) => h.state !== 'ok' && h.state !== 'partial');
  if (stale.length > 0) {
    out.push(
      `> ${stale.length} source(s) were not refreshed this run; their last good snapshots were used and nothing is inferred from their absence.`,
      '',
    );
  }
  const partial = plan.sources.filter((h) => h.state === 'partial');
  if (partial.length > 0) {
    out.push(
      `> ${partial.length} source(s) are partial: the last fetch brought fewer rows than the service counts. What it brought was merged into the snapshot (nothing was dropped) and its figures are a lower bound.`,
      '',
    );
  }
  if (plan.unknownSources && plan.unknownSources.length > 0) {
    out.push(
      `> **Unknown this run:** ${plan.unknownSources.map((s) => `\`${s}\``).join(', ')} — the snapshot could not be read. ` +
        'Nothing is inferred from it: company statuses keep the last run\'s values, no status change is proposed, and the last-run state of registry companies is not moved. Restore the snapshot (git checkout) or fetch the source again.',
      '',
    );
  }

  const storeChanges = plan.sources.filter((h) => h.storeChanges && h.storeChanges.length > 0);
  if (storeChanges.length > 0) {
    out.push('## What the award stores changed', '');
    out.push('Per fiscal year of the award\'s start, as the engine compared the new partitions with the committed ones (first keys of each kind; every key is in the data).', '');
    const keys = (list: readonly string[], count: number) =>
      list.length === 0 ? '' : `${list.map((k) => escapeMarkdown(k, 80)).join(', ')}${count > list.length ? ` …and ${count - list.length} more` : ''}`;
    out.push(
      table([
        ['Source', 'Fiscal year', 'Added', 'Removed', 'Changed', 'Keys'],
        ...storeChanges.flatMap((h) =>
          h.storeChanges!.slice(0, MAX_TABLE_ROWS).map((c) => [
            escapeMarkdown(h.source),
            c.fiscalYear === 0 ? 'unknown start' : `FY${c.fiscalYear}`,
            String(c.added),
            String(c.removed),
            String(c.changed),
            [
              c.added ? `added: ${keys(c.addedKeys.slice(0, 5), c.added)}` : '',
              c.removed ? `removed: ${keys(c.removedKeys.slice(0, 5), c.removed)}` : '',
              c.changed ? `changed: ${keys(c.changedKeys.slice(0, 5), c.changed)}` : '',
            ]
              .filter(Boolean)
              .join('; '),
          ]),
        ),
      ]),
      '',
    );
  }

  out.push('## Summary', '');
  out.push(
    `- New candidate companies: ${newCandidates.length} (open candidates: ${plan.candidates.length})`,
    `- New awards for registry companies: ${plan.newAwards.length}`,
    `- Status changes: ${plan.transitions.length}`,
    `- Watchdog list changes: ${plan.listChanges.length}`,
    `- Review queue: ${plan.reviewQueue.length}`,
    `- Proposals (pull requests): ${plan.proposals.length}`,
    '',
  );

  out.push('## New candidate companies', '');
  if (newCandidates.length === 0) out.push('None.', '');
  for (const c of newCandidates.slice(0, DETAILED_CANDIDATES)) {
    out.push(`### ${escapeMarkdown(c.name)} (\`${c.companyId}\`)`, '');
    out.push(`${escapeMarkdown(c.match.reason, 400)}. Confidence ${c.confidence.toFixed(2)}. Total obligated: ${formatUsd(c.totalObligated)}.`, '');
    if (c.obligations && c.obligations.byFiscalYear.length > 0) {
      const years = c.obligations.byFiscalYear.map((y) => `FY${y.fiscalYear} ${figureCell(y)} (${y.transactions})`).join('; ');
      out.push(`ICE obligations by fiscal year (transactions): ${years}; last action ${c.obligations.lastActionDate ?? '?'} (an action date, not an end date).`, '');
    }
    if (c.awards.length > 0) out.push(awardTable(largest(c.awards, AWARDS_PER_CANDIDATE, (a) => a.obligated)), '');
    if (c.awards.length > AWARDS_PER_CANDIDATE) out.push(moreInDetail(c.awards.length - AWARDS_PER_CANDIDATE, plan.asOf, 'new-candidate-award'), '');
    for (const m of c.mentions.slice(0, LIST_NAMES)) out.push(`- Listed by ${escapeMarkdown(m.source)} (${escapeMarkdown(m.list)}) as “${escapeMarkdown(m.name)}”${m.evidenceUrl ? ` — ${markdownLink('evidence', m.evidenceUrl)}` : ''}`);
    if (c.mentions.length > LIST_NAMES) out.push(moreInDetail(c.mentions.length - LIST_NAMES, plan.asOf, 'new-candidate-mention'));
    if (c.mentions.length > 0) out.push('');
  }
  const rest = newCandidates.slice(DETAILED_CANDIDATES);
  if (rest.length > 0) {
    out.push(`${rest.length} more new candidates, by total obligated (every award is in \`${reportDetailFile(plan.asOf)}\`):`, '');
    out.push(
      table([
        ['Candidate', 'Awards', 'Obligated', 'Why'],
        ...rest.slice(0, MAX_TABLE_ROWS).map((c) => [`${escapeMarkdown(c.name, 100)} (\`${c.companyId}\`)`, String(c.awards.length), formatUsd(c.totalObligated), c.because.join(', ')]),
      ]),
      '',
    );
    if (rest.length > MAX_TABLE_ROWS) out.push(moreInDetail(rest.length - MAX_TABLE_ROWS, plan.asOf, 'new-candidate-award'), '');
  }

  out.push('## New awards for registry companies', '');
  if (plan.newAwards.length === 0) out.push('None.', '');
  else {
    if (plan.newAwards.length > MAX_TABLE_ROWS) out.push(`The ${MAX_TABLE_ROWS} largest of ${plan.newAwards.length} by obligated:`, '');
    out.push(
      table([
        ['Company', 'Relation', 'Award', 'Obligated', 'Start', 'End / last order', 'Active'],
        ...largest(plan.newAwards, MAX_TABLE_ROWS, (n) => n.award.obligated).map((n) => [
          `\`${n.companyId}\``,
          `${n.relation} (${n.confidence.toFixed(2)})`,
          markdownLink(n.award.awardKey, n.award.url, 80),
          formatUsd(n.award.obligated),
          n.award.start ?? '',
          (n.award.kind === 'idv' ? n.award.lastDateToOrder : n.award.end) ?? '',
          n.award.active ? 'yes' : 'no',
        ]),
      ]),
      '',
    );
    if (plan.newAwards.length > MAX_TABLE_ROWS) out.push(moreInDetail(plan.newAwards.length - MAX_TABLE_ROWS, plan.asOf, 'new-award'), '');
  }

  out.push('## Status changes', '');
  if (plan.transitions.length === 0) out.push('None.', '');
  for (const t of plan.transitions.slice(0, MAX_TABLE_ROWS)) {
    out.push(`- \`${t.companyId}\` ${escapeMarkdown(t.name)}: ${t.from} → **${t.to}**`);
    for (const a of t.awards.slice(0, 3)) out.push(`  - ${markdownLink(a.awardKey, a.url, 80)} ${formatUsd(a.obligated)}, ${a.start ?? '?'} to ${(a.kind === 'idv' ? a.lastDateToOrder : a.end) ?? '?'}`);
  }
  if (plan.transitions.length > MAX_TABLE_ROWS) out.push(`…and ${plan.transitions.length - MAX_TABLE_ROWS} more status changes in the JSON report.`);
  if (plan.transitions.length > 0) out.push('');

  out.push('## Watchdog list changes', '');
  if (plan.listChanges.length === 0) out.push('None.', '');
  for (const l of plan.listChanges) {
    if (l.structureChange) {
      out.push(`- ${escapeMarkdown(l.source)} / ${escapeMarkdown(l.list)}: **structure change** — ${escapeMarkdown(l.structureChange, 300)}`);
      continue;
    }
    out.push(`- ${escapeMarkdown(l.source)} / ${escapeMarkdown(l.list)}: ${l.added.length} added, ${l.removed.length} removed${l.needsReview ? ' (removals need review: a name leaving a list does not by itself mean a company dropped ICE)' : ''}`);
    const names = (list: readonly string[], section: DetailSection) =>
      `${list.slice(0, LIST_NAMES).map((n) => escapeMarkdown(n, 100)).join(', ')}${list.length > LIST_NAMES ? ` ${moreInDetail(list.length - LIST_NAMES, plan.asOf, section)}` : ''}`;
    if (l.added.length) out.push(`  - added: ${names(l.added, 'list-added')}`);
    if (l.removed.length) out.push(`  - removed: ${names(l.removed, 'list-removed')}`);
  }
  if (plan.listChanges.length > 0) out.push('');

  // With transactions held, the per-year obligations replace the award-start approximation.
  if (plan.obligations && plan.obligations.coverage.length > 0) out.push(...obligationsReport(plan.obligations));
  else if (chart.length === 0) out.push('## ICE obligations to registry companies by fiscal year', '', 'No matched awards.', '');
  else {
    out.push(
      '## ICE obligations to registry companies by fiscal year',
      '',
      '```mermaid',
      'xychart-beta',
      '  title "Obligations on matched ICE awards, by fiscal year of award start (USD millions)"',
      `  x-axis [${chart.map((c) => `FY${c.fiscalYear}`).join(', ')}]`,
      '  y-axis "USD millions"',
      `  bar [${chart.map((c) => (c.obligated / 1e6).toFixed(2)).join(', ')}]`,
      '```',
      '',
      table([['Fiscal year', 'Obligated'], ...chart.map((c) => [`FY${c.fiscalYear}`, formatUsd(c.obligated)])]),
      '',
    );
  }

  out.push('## Review queue', '');
  if (plan.reviewQueue.length === 0) out.push('Empty.', '');
  else {
    out.push('Possible matches below the proposal threshold, and watchdog names with no ICE award in the snapshots. Nothing here is proposed automatically.', '');
    out.push(
      table([
        ['Kind', 'Name', 'Source', 'Award / list', 'Possible match'],
        ...plan.reviewQueue.slice(0, MAX_TABLE_ROWS).map((r) => [
          r.kind,
          escapeMarkdown(r.name, 100),
          escapeMarkdown(r.source, 100),
          r.awardKey ? markdownLink(r.awardKey, r.url, 80) : escapeMarkdown(r.list ?? '', 80),
          r.matches.length === 0 ? (r.note ? escapeMarkdown(r.note, 200) : 'not in registry') : r.matches.map((m) => `\`${m.companyId}\` ${m.method} ${m.confidence.toFixed(2)}`).join('; '),
        ]),
      ]),
      '',
    );
    if (plan.reviewQueue.length > MAX_TABLE_ROWS) out.push(moreInDetail(plan.reviewQueue.length - MAX_TABLE_ROWS, plan.asOf, 'review'), '');
  }

  out.push('## Proposals', '');
  if (plan.proposals.length === 0) out.push('None.', '');
  if (plan.proposals.length > MAX_TABLE_ROWS) out.push(`The first ${MAX_TABLE_ROWS} of ${plan.proposals.length} (every one is in the dry run's files and the plan file):`, '');
  for (const p of plan.proposals.slice(0, MAX_TABLE_ROWS)) {
    out.push(p.kind === 'add-company'
      ? `- Add \`${p.companyId}\` ${escapeMarkdown(p.name)}: ${p.evidence.awards.length} ICE award(s), ${p.evidence.mentions.length} mention(s)${p.newSinceDismissal ? ` — back after dismissal with new award(s) ${p.newSinceDismissal.join(', ')}` : ''}`
      : `- Status of \`${p.companyId}\` ${escapeMarkdown(p.name)}: ${escapeMarkdown(p.reason, 300)}`);
  }
  out.push('');

  const document = reportDocument(plan, chart);
  const jsonChunks = function* (): Generator<string> {
    yield* stableJsonChunks(document);
    yield '\n';
  };
  return {
    markdown: `${out.join('\n').trimEnd()}\n`,
    jsonChunks,
    get json() {
      return [...jsonChunks()].join('');
    },
    changed,
  };
}

function awardTable(awards: AwardEvidence[]): string {
  return table([
    ['Award', 'Obligated', 'Start', 'End / last order', 'Active', 'Description'],
    ...awards.map((a) => [
      markdownLink(a.awardKey, a.url, 80),
      formatUsd(a.obligated),
      a.start ?? '',
      (a.kind === 'idv' ? a.lastDateToOrder : a.end) ?? '',
      // An award known only from its transactions has no dates: its state is unknown, not "no".
      a.active ? 'yes' : a.source === 'usaspending-transactions' && !a.end && !a.lastDateToOrder ? 'unknown' : 'no',
      escapeMarkdown(a.description ?? '', 120),
    ]),
  ]);
}

/** What ICE pays now: per-year completeness, the chart of the top registry companies, and their figures. */
function obligationsReport(o: PlanObligations): string[] {
  const out = ['## ICE obligations by fiscal year (transactions)', ''];
  out.push(`${coverageNote(o.coverage)} Recent obligations are those since ${o.recentSince}; an action date is not an end date.`, '');
  out.push(
    table([
      ['Fiscal year', 'Complete', 'Transactions', 'Obligated (all ICE)', 'Listings'],
      ...o.coverage.map((c) => [
        `FY${c.fiscalYear}`,
        c.complete ? 'yes' : '**no: lower bound**',
        String(c.transactions),
        `${c.complete ? '' : '≥ '}${formatUsd(c.obligated)}`,
        escapeMarkdown(
          c.listings
            .map((l) => `${l.agencyCode} ${l.group}: ${l.rows}${l.expected !== undefined ? ` of ${l.expected}` : ''}${l.through ? ` through ${l.through}` : ''}${l.complete ? '' : ' (incomplete)'}`)
            .join('; ') || 'no listing held',
          300,
        ),
      ]),
    ]),
    '',
  );
  out.push(...obligationsChart(o.companies, o.coverage));
  const recent = o.companies.filter((c) => c.status === 'recent-obligations');
  if (recent.length > 0) {
    out.push('### Registry companies with recent obligations and no dated active award', '');
    out.push(
      table([
        ['Company', 'Obligated since ' + o.recentSince, 'Last action', 'Largest awards (evidence)'],
        ...recent.slice(0, MAX_TABLE_ROWS).map((c) => [
          `\`${c.companyId}\` ${escapeMarkdown(c.name, 80)}`,
          formatUsd(c.recentObligated),
          c.lastActionDate ?? '',
          c.largestAwards.slice(0, 3).map((a) => `${markdownLink(a.awardKey, a.url, 80)} ${formatUsd(a.obligated)}`).join('<br>'),
        ]),
      ]),
      '',
    );
  }
  const years = o.coverage.map((c) => c.fiscalYear);
  if (o.companies.length > 0) {
    out.push('### Every registry company with ICE transactions', '');
    out.push(
      table([
        ['Company', 'Status', ...years.map((y) => `FY${y}`), 'Transactions', 'Last action'],
        ...o.companies.slice(0, MAX_TABLE_ROWS).map((c) => [
          `\`${c.companyId}\``,
          c.status,
          ...years.map((y) => figureCell(c.byFiscalYear.find((f) => f.fiscalYear === y))),
          String(c.transactions),
          c.lastActionDate ?? '',
        ]),
      ]),
      '',
    );
  }
  return out;
}
