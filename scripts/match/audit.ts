/**
 * The audit: run a whole real universe of recipients through the matcher so a maintainer can review,
 * in one sitting, every confident (proposal-grade) match, every near miss of a registry name and every
 * name that was set aside by ownership dates. Rows are grouped by what a reviewer decides on — the same
 * recipient matched the same way — so 20,000 transactions become a few hundred lines.
 *
 * Near misses are of two kinds: review-queue matches (0.7–0.9: fuzzy names, medium product terms), and
 * recipients that match nothing but carry a distinctive word of a registry name ("AT&T MOBILITY" beside
 * AT&T): the registry-coverage gaps.
 */
import type { Company } from '../registry/schema.ts';
import { buildIndex } from './build-index.ts';
import { isGenericWord } from './fuzzy.ts';
import { createMatcherFromIndex } from './matcher.ts';
import { normalizeName } from './normalize.ts';
import { compareText } from '../util/text-key.ts';
import { PROPOSAL_THRESHOLD, REVIEW_THRESHOLD, type Match, type MatchInput, type MatchMethod, type OwnershipNote } from './types.ts';

/** One input row: what the matcher reads plus where it came from. */
export interface AuditRow {
  input: MatchInput;
  /** Award key, PIID or line: shown with the first example of a group. */
  ref: string;
  /** The award's usaspending.gov page when known. */
  url?: string;
}

export interface AuditGroup {
  companyId: string;
  relation: Match['relation'];
  method: MatchMethod;
  confidence: number;
  recipient: string;
  /** For product-term matches the description decides, so it is part of the group. */
  description?: string;
  reason: string;
  rows: number;
  firstRef: string;
  url?: string;
  /** Earliest and latest record dates in the group. */
  dates?: [string, string];
}

export interface NearName {
  recipient: string;
  companyId: string;
  /** The registry word the recipient shares. */
  word: string;
  rows: number;
  firstRef: string;
}

export interface OwnershipGroup {
  recipient: string;
  text: string;
  rows: number;
  firstRef: string;
}

export interface MethodCount {
  method: MatchMethod;
  confident: number;
  review: number;
}

export interface AuditReport {
  rows: number;
  recipients: number;
  confident: AuditGroup[];
  review: AuditGroup[];
  nearNames: NearName[];
  ownership: OwnershipGroup[];
  /** Matches (not groups) per method, confident and review. */
  methods: MethodCount[];
  /** Rows with at least one confident match. */
  matchedRows: number;
}

/** Distinctive registry words shorter than this are too likely to appear by chance in other names. */
const MIN_NEAR_WORD_CHARS = 4;

/**
 * First word of a registry name → companies. A recipient that matched nothing but starts with the same
 * word ("COMCAST CABLE COMMUNICATIONS" beside "Comcast Corporation") is a near miss worth a look; a word
 * merely inside the name ("CHURCH WORLD SERVICE" beside "World Wide Technology") is not.
 */
function nearWordIndex(companies: readonly Company[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of companies) {
    const names = [c.name, ...(c.aliases?.legal ?? []), ...(c.aliases?.strong ?? []), ...(c.subsidiaries ?? []).map((s) => s.name)];
    for (const raw of names) {
      for (const v of normalizeName(raw).variants) {
        const word = v.text.split(' ')[0];
        if (word === undefined || word.length < MIN_NEAR_WORD_CHARS || isGenericWord(word)) continue;
        const set = out.get(word) ?? new Set<string>();
        set.add(c.id);
        out.set(word, set);
      }
    }
  }
  return out;
}

function groupKey(m: Match, recipient: string, description: string | undefined): string {
  return [m.companyId, m.relation, m.method, recipient, m.method === 'product-term' ? (description ?? '') : ''].join('\u0000');
}

function addTo(groups: Map<string, AuditGroup>, m: Match, row: AuditRow): void {
  const recipient = row.input.name;
  const description = m.method === 'product-term' ? row.input.description : undefined;
  const key = groupKey(m, recipient, description);
  const date = row.input.date;
  const g = groups.get(key);
  if (g) {
    g.rows += 1;
    if (date !== undefined) {
      if (!g.dates) g.dates = [date, date];
      else {
        if (date < g.dates[0]) g.dates[0] = date;
        if (date > g.dates[1]) g.dates[1] = date;
      }
    }
    return;
  }
  groups.set(key, {
    companyId: m.companyId,
    relation: m.relation,
    method: m.method,
    confidence: m.confidence,
    recipient,
    ...(description === undefined ? {} : { description }),
    reason: m.reason,
    rows: 1,
    firstRef: row.ref,
    ...(row.url === undefined ? {} : { url: row.url }),
    ...(date === undefined ? {} : { dates: [date, date] as [string, string] }),
  });
}

function byCompany(a: AuditGroup, b: AuditGroup): number {
  return (
    compareText(a.companyId, b.companyId) ||
    compareText(a.relation, b.relation) ||
    compareText(a.method, b.method) ||
    compareText(a.recipient, b.recipient) ||
    compareText(a.description ?? '', b.description ?? '')
  );
}

export function audit(companies: readonly Company[], rows: Iterable<AuditRow>): AuditReport {
  const index = buildIndex(companies);
  const matcher = createMatcherFromIndex(index);
  const nearWords = nearWordIndex(companies);
  const confident = new Map<string, AuditGroup>();
  const review = new Map<string, AuditGroup>();
  const near = new Map<string, NearName>();
  const ownership = new Map<string, OwnershipGroup>();
  const counts = new Map<MatchMethod, MethodCount>();
  const recipients = new Set<string>();
  let total = 0;
  let matchedRows = 0;

  for (const row of rows) {
    total += 1;
    recipients.add(row.input.name);
    const { matches, notes } = matcher.matchDetailed!(row.input);
    let anyConfident = false;
    for (const m of matches) {
      const count = counts.get(m.method) ?? { method: m.method, confident: 0, review: 0 };
      counts.set(m.method, count);
      if (m.confidence >= PROPOSAL_THRESHOLD) {
        anyConfident = true;
        count.confident += 1;
        addTo(confident, m, row);
      } else if (m.confidence >= REVIEW_THRESHOLD) {
        count.review += 1;
        addTo(review, m, row);
      }
    }
    if (anyConfident) matchedRows += 1;
    for (const n of notes as readonly OwnershipNote[]) {
      const key = `${row.input.name}\u0000${n.companyId}\u0000${n.unit}`;
      const g = ownership.get(key);
      if (g) g.rows += 1;
      else ownership.set(key, { recipient: row.input.name, text: n.text, rows: 1, firstRef: row.ref });
    }
    // A name set aside by ownership dates is known to the registry: it is listed there, not as a near miss.
    if (matches.length > 0 || notes.length > 0) continue;
    for (const v of normalizeName(row.input.name).variants) {
      const word = v.text.split(' ')[0];
      if (word === undefined) continue;
      {
        for (const companyId of nearWords.get(word) ?? []) {
          const key = `${row.input.name}\u0000${companyId}`;
          const g = near.get(key);
          if (g) g.rows += 1;
          else near.set(key, { recipient: row.input.name, companyId, word, rows: 1, firstRef: row.ref });
        }
      }
    }
  }

  return {
    rows: total,
    recipients: recipients.size,
    confident: [...confident.values()].sort(byCompany),
    review: [...review.values()].sort(byCompany),
    nearNames: [...near.values()].sort((a, b) => compareText(a.companyId, b.companyId) || compareText(a.recipient, b.recipient)),
    ownership: [...ownership.values()].sort((a, b) => compareText(a.recipient, b.recipient) || compareText(a.text, b.text)),
    methods: [...counts.values()].sort((a, b) => compareText(a.method, b.method)),
    matchedRows,
  };
}

/** Plain text for a terminal; names and descriptions pass through `clean` (untrusted text). */
export function renderAudit(report: AuditReport, label: string, clean: (text: string, max?: number) => string): string {
  const lines: string[] = [];
  const pct = (n: number) => (report.rows === 0 ? '0.0' : ((100 * n) / report.rows).toFixed(1));
  lines.push(`audit of ${label}: ${report.rows} records, ${report.recipients} distinct recipients, ${report.matchedRows} (${pct(report.matchedRows)} %) with a confident match`);
  lines.push('', 'matches per method (confident ≥ 0.9 / review 0.7–0.9):');
  for (const c of report.methods) lines.push(`  ${c.method.padEnd(16)} ${String(c.confident).padStart(7)} ${String(c.review).padStart(7)}`);
  const group = (g: AuditGroup) => {
    const dates = g.dates ? (g.dates[0] === g.dates[1] ? ` ${g.dates[0]}` : ` ${g.dates[0]}..${g.dates[1]}`) : '';
    const head = `  ${g.companyId}/${g.relation} ${g.confidence.toFixed(2)} ${g.method}: "${clean(g.recipient, 80)}" ×${g.rows}${dates} (${clean(g.firstRef, 80)})`;
    const desc = g.description === undefined ? [] : [`      description: ${clean(g.description, 160)}`];
    return [head, ...desc, `      ${clean(g.reason, 240)}`];
  };
  lines.push('', `confident matches: ${report.confident.length} group(s)`);
  for (const g of report.confident) lines.push(...group(g));
  lines.push('', `review-queue matches: ${report.review.length} group(s)`);
  for (const g of report.review) lines.push(...group(g));
  lines.push('', `unmatched recipients that share a registry word: ${report.nearNames.length}`);
  for (const n of report.nearNames) lines.push(`  ${n.companyId} (word "${n.word}"): "${clean(n.recipient, 80)}" ×${n.rows} (${clean(n.firstRef, 80)})`);
  lines.push('', `set aside by ownership dates: ${report.ownership.length}`);
  for (const o of report.ownership) lines.push(`  "${clean(o.recipient, 80)}" ×${o.rows} (${clean(o.firstRef, 80)}): ${clean(o.text, 240)}`);
  return `${lines.join('\n')}\n`;
}
