/**
 * A Proposal rendered as a pull request: branch, title, body (with the hidden marker), files and
 * labels. Pure: the same proposal always renders to the same bytes, which is what makes a rerun
 * with an unchanged plan a no-op and lets a dry run show exactly what a real run would open.
 *
 * Everything that came from a source (names, descriptions, notes, keys, links) is untrusted and goes
 * through escapeMarkdown / markdownLink; the wording is deliberately cautious: records "show", a
 * company is "listed by" a source or "awarded <key> by ICE", never "works with ICE".
 */
import type {
  AddCompanyProposal,
  AwardEvidence,
  MentionEvidence,
  Proposal,
  StatusChangeProposal,
} from '../plan/types.ts';
import { GitHubError } from '../util/errors.ts';
import { escapeMarkdown, markdownLink, toPlainText, truncate, withoutAutolinks } from '../util/sanitize.ts';
import { sha256, shortHash } from '../util/hash.ts';
import { stableStringify } from '../util/stable-json.ts';
import { writeProposalMarker } from './marker.ts';
import type { ProposalMarker } from './marker.ts';

/** GitHub rejects issue and pull request bodies longer than this many characters. */
export const GITHUB_BODY_LIMIT = 65_536;
/** GitHub's limit on issue and pull request titles. */
export const GITHUB_TITLE_LIMIT = 256;

export const LABEL_BOT = 'icewatch';
export const LABEL_ADD = 'icewatch: new company';
export const LABEL_STATUS = 'icewatch: status change';

/** Award/mention lines in the summary list; the tables carry the rest. */
const SUMMARY_LINES = 10;

export interface RenderOptions {
  /** When set, add-company proposals whose confidence is below it open as draft pull requests. */
  draftBelowConfidence?: number;
  /** The closed pull request a returning candidate was dismissed in, for the "what is new" section. */
  previousPullRequest?: { number: number; url: string };
  /** Human titles for source ids ("companies-that-work-with-ice" → "Companies that work with ICE"). */
  sourceTitles?: Readonly<Record<string, string>>;
  /** Body size limit; only tests lower it. */
  bodyLimit?: number;
}

export interface ProposalFile {
  path: string;
  content: string;
}

export interface RenderedProposal {
  id: string;
  kind: Proposal['kind'];
  name: string;
  branch: string;
  title: string;
  body: string;
  files: ProposalFile[];
  draft: boolean;
  labels: string[];
  commitMessage: string;
  marker: Required<ProposalMarker>;
  /** Award or mention rows left out of the body's tables to fit GitHub's limit (all are in the files). */
  omittedRows: number;
}

export function branchFor(proposal: Pick<Proposal, 'kind' | 'companyId'>): string {
  return proposal.kind === 'add-company' ? `icewatch/add-${proposal.companyId}` : `icewatch/status-${proposal.companyId}`;
}

export function filesOf(proposal: Proposal): ProposalFile[] {
  const files = proposal.kind === 'add-company' ? [proposal.registryFile, proposal.evidenceFile] : proposal.files;
  const seen = new Set<string>();
  const out: ProposalFile[] = [];
  for (const file of files) {
    assertRepoPath(file.path);
    if (seen.has(file.path)) throw new GitHubError(`proposal ${proposal.companyId} writes ${file.path} twice`);
    seen.add(file.path);
    out.push({ path: file.path, content: file.content });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The plan decides the paths, but a path that escapes the repository must never reach git. */
export function assertRepoPath(path: string): void {
  const ok =
    /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(path) &&
    !path.split('/').some((segment) => segment === '.' || segment === '..' || segment.toLowerCase() === '.git');
  if (!ok) throw new GitHubError(`refusing to write a proposal file outside the repository tree: ${JSON.stringify(path)}`);
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Titles are rendered by GitHub too: keep them plain, and break @mentions and #references. */
function titleText(text: string, limit: number): string {
  // GitHub autolinks bare URLs in titles too (and cross-references issue URLs).
  return withoutAutolinks(toPlainText(text, limit))
    .replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u200b')
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/\b(GH)-(?=\d)/gi, '$1-\u200b');
}

/** Award keys and PIIDs read best as code; anything unusual falls back to escaped text. */
export function code(text: string | undefined): string {
  if (!text) return '—';
  const plain = toPlainText(text, 160);
  return /^[A-Za-z0-9_.:/-]{1,160}$/.test(plain) ? `\`${plain}\`` : escapeMarkdown(plain, 160);
}

function cell(text: string | undefined, limit = 120): string {
  if (text === undefined || text.trim() === '') return '—';
  return escapeMarkdown(text, limit) || '—';
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

function money(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : usd.format(value);
}

function isoDate(value: string | undefined): string {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '—';
}

function confidence(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '—';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sourceName(id: string, options: RenderOptions): string {
  return options.sourceTitles?.[id] ?? id;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function awardEnd(award: AwardEvidence): string | undefined {
  return award.kind === 'idv' ? (award.lastDateToOrder ?? award.end) : award.end;
}

/** Active first, then latest end, then key: the order a reviewer wants and a stable one. */
function sortAwards(awards: AwardEvidence[]): AwardEvidence[] {
  return [...awards].sort((a, b) => {
    if (a.active !== b.active) return a.active ? -1 : 1;
    const ea = awardEnd(a) ?? '';
    const eb = awardEnd(b) ?? '';
    if (ea !== eb) return ea < eb ? 1 : -1;
    return a.awardKey < b.awardKey ? -1 : a.awardKey > b.awardKey ? 1 : 0;
  });
}

function sortMentions(mentions: MentionEvidence[]): MentionEvidence[] {
  const key = (m: MentionEvidence) => `${m.source}\u0000${m.list}\u0000${m.name}`;
  return [...mentions].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** An award with no known end (one seen only in transactions) has not "ended": its end is unknown. */
function awardState(award: AwardEvidence): string {
  return award.active ? 'active' : awardEnd(award) ? 'ended' : 'end date unknown';
}

function awardSentence(award: AwardEvidence, isNew = false): string {
  const end = awardEnd(award);
  const state = awardState(award);
  const when = end ? `, ${award.active ? 'runs until' : 'ended'} ${isoDate(end)}` : '';
  return `${escapeMarkdown(award.recipientName, 120)} was awarded ${code(award.awardKey)} by ICE (${award.kind === 'idv' ? 'IDV' : 'contract'}, ${state}${when})${isNew ? ' — **new**' : ''}.`;
}

function mentionSentence(mention: MentionEvidence, options: RenderOptions): string {
  const where = markdownLink(sourceName(mention.source, options), mention.url, 120);
  return `${escapeMarkdown(mention.name, 120)} is listed by ${where} (${cell(mention.list, 60)} list).`;
}

const AWARD_HEADER = ['Award key', 'Kind', 'Recipient', 'UEI', 'Obligated', 'Potential', 'Start', 'End', 'Status', 'Description', 'Record'];
const MENTION_HEADER = ['Source', 'List', 'Name as listed', 'Evidence', 'Note'];

function awardRows(awards: AwardEvidence[], newKeys: ReadonlySet<string>): string[][] {
  return awards.map((a) => [
    `${code(a.awardKey)}${newKeys.has(a.awardKey) ? ' (new)' : ''}`,
    a.kind === 'idv' ? 'IDV' : 'contract',
    cell(a.recipientName),
    code(a.recipientUei),
    money(a.obligated),
    money(a.potential),
    isoDate(a.start),
    isoDate(awardEnd(a)),
    awardState(a),
    cell(a.description, 100),
    markdownLink('usaspending.gov', a.url, 40),
  ]);
}

function mentionRows(mentions: MentionEvidence[], options: RenderOptions): string[][] {
  return mentions.map((m) => [
    markdownLink(sourceName(m.source, options), m.url, 80),
    cell(m.list, 60),
    cell(m.name),
    m.evidenceUrl ? markdownLink('link', m.evidenceUrl, 10) : '—',
    cell(m.note, 160),
  ]);
}

function fileList(files: ProposalFile[], describe: (path: string) => string): string {
  return files.map((f) => `- \`${f.path}\`${describe(f.path)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Bodies

interface BodyParts {
  /** Everything but the marker, rendered with at most `rows` rows per table. */
  compose(rows: number): string;
  totalRows: number;
}

/** The award and watchdog tables, cut to `rows` rows each when the body must shrink to fit. */
function evidenceTables(awardCells: string[][], mentionCells: string[][], rows: number, whereTheRestIs: string): string[] {
  const shownAwards = awardCells.slice(0, rows);
  const shownMentions = mentionCells.slice(0, rows);
  const omitted = awardCells.length - shownAwards.length + (mentionCells.length - shownMentions.length);
  const out: string[] = [];
  if (awardCells.length > 0) out.push('', '### Award evidence', '', table(AWARD_HEADER, shownAwards));
  if (mentionCells.length > 0) out.push('', '### Watchdog lists', '', table(MENTION_HEADER, shownMentions));
  if (omitted > 0) out.push('', `${plural(omitted, 'more row')} did not fit in this description${whereTheRestIs}.`);
  return out;
}

function addCompanyParts(p: AddCompanyProposal, files: ProposalFile[], options: RenderOptions): BodyParts {
  const awards = sortAwards(p.evidence.awards);
  const mentions = sortMentions(p.evidence.mentions);
  const newKeys = new Set(p.newSinceDismissal ?? []);
  // Rows are rendered once; fitting the body only changes how many are joined.
  const awardCells = awardRows(awards, newKeys);
  const mentionCells = mentionRows(mentions, options);
  const name = escapeMarkdown(p.name, 120);
  const active = awards.filter((a) => a.active).length;
  const match = p.evidence.match;

  const intro = [
    `## Add ${name} to the registry`,
    '',
    `icewatch found public records that connect **${name}** to U.S. Immigration and Customs Enforcement (ICE): ` +
      `${plural(awards.length, 'ICE award')} (${active} active) and ${plural(mentions.length, 'watchdog listing')}. ` +
      'It proposes adding the company to the registry so that a maintainer can check the evidence. ' +
      'Nothing is published until this pull request is merged.',
  ];

  const whatIsNew: string[] = [];
  if (p.newSinceDismissal && p.newSinceDismissal.length > 0) {
    const prev = options.previousPullRequest;
    const newAwards = awards.filter((a) => newKeys.has(a.awardKey));
    whatIsNew.push(
      '',
      '### What is new',
      '',
      `This company was proposed before${prev ? ` in #${prev.number}` : ''} and the pull request was closed without merging. ` +
        `It is proposed again because of ${plural(p.newSinceDismissal.length, 'new award')}:`,
      '',
      ...newAwards.slice(0, SUMMARY_LINES).map((a) => `- ${awardSentence(a, true)}`),
      ...p.newSinceDismissal
        .filter((key) => !awards.some((a) => a.awardKey === key))
        .slice(0, SUMMARY_LINES)
        .map((key) => `- ${code(key)} — **new**`),
    );
    if (newAwards.length > SUMMARY_LINES) whatIsNew.push(`- and ${newAwards.length - SUMMARY_LINES} more new awards in the table below.`);
  }

  const shown = [
    ...awards.slice(0, SUMMARY_LINES).map((a) => `- ${awardSentence(a, newKeys.has(a.awardKey))}`),
    ...mentions.slice(0, SUMMARY_LINES).map((m) => `- ${mentionSentence(m, options)}`),
  ];
  const moreAwards = Math.max(0, awards.length - SUMMARY_LINES);
  const moreMentions = Math.max(0, mentions.length - SUMMARY_LINES);
  if (moreAwards + moreMentions > 0) shown.push(`- and ${moreAwards + moreMentions} more in the tables below.`);

  const matchSection = [
    '### Match',
    '',
    table(
      ['', ''],
      [
        ['Match type', cell(match.relation)],
        ['Method', cell(match.method)],
        ['Confidence', confidence(match.confidence)],
        ['Reason', cell(match.reason, 300)],
      ],
    ),
  ];

  const snapshotSection =
    p.evidence.snapshots.length > 0
      ? [
          '',
          '### Snapshots',
          '',
          table(
            ['Source', 'Retrieved', 'Content hash'],
            p.evidence.snapshots.map((s) => [cell(sourceName(s.source, options), 80), cell(s.retrievedAt, 40), code(s.contentHash)]),
          ),
        ]
      : [];

  const checklist = [
    '### Reviewer checklist',
    '',
    '- [ ] The award recipient is this company: the name and UEI match on usaspending.gov.',
    '- [ ] The awards are ICE awards (awarding sub-agency: U.S. Immigration and Customs Enforcement).',
    '- [ ] The name, aliases and identifiers in the YAML are right; look-alike names are in `falseFriends`.',
    '- [ ] If the company is a reseller or a subsidiary, `roles` or `parent` is set.',
    '- [ ] To dismiss, close without merging: icewatch proposes it again only if a new award appears.',
  ];

  const describe = (path: string) =>
    path === p.registryFile.path ? ': the new registry entry' : path === p.evidenceFile.path ? ': the evidence above, schema-validated' : '';

  return {
    totalRows: awards.length + mentions.length,
    compose(rows) {
      const evidence = evidenceTables(awardCells, mentionCells, rows, `; all are in \`${p.evidenceFile.path}\``);
      return [
        ...intro,
        ...whatIsNew,
        '',
        '### What the records show',
        '',
        ...shown,
        '',
        ...matchSection,
        ...evidence,
        ...snapshotSection,
        '',
        '### Files',
        '',
        fileList(files, describe),
        '',
        ...checklist,
        '',
        `<sub>Opened by icewatch from public records. Evidence hash ${code(p.evidenceHash)}.</sub>`,
        '',
      ].join('\n');
    },
  };
}

function statusChangeParts(p: StatusChangeProposal, files: ProposalFile[], options: RenderOptions): BodyParts {
  const awards = sortAwards(p.awards);
  const mentions = sortMentions(p.mentions);
  const awardCells = awardRows(awards, new Set());
  const mentionCells = mentionRows(mentions, options);
  const name = escapeMarkdown(p.name, 120);
  const intro = [
    `## Status of ${name}: ${p.from} → ${p.to}`,
    '',
    `According to the records icewatch reads, the status of **${name}** changes from **${p.from}** to **${p.to}**: ${cell(p.reason, 400)}.`,
    '',
    'Nothing is removed: merging records the change and its evidence, and the company stays in the registry. ' +
      'Close without merging if the records are wrong or incomplete.',
  ];
  const checklist = [
    '### Reviewer checklist',
    '',
    '- [ ] The end dates match usaspending.gov (a modification may have extended an award).',
    '- [ ] No newer ICE award to this company, its subsidiaries or through a reseller is missing.',
    '- [ ] If a list dropped the company, the list itself confirms it (a list page that failed to load is not a removal).',
  ];
  return {
    totalRows: awards.length + mentions.length,
    compose(rows) {
      const evidence = evidenceTables(awardCells, mentionCells, rows, '');
      return [
        ...intro,
        ...evidence,
        '',
        '### Files',
        '',
        files.length > 0 ? fileList(files, () => '') : '- (none)',
        '',
        ...checklist,
        '',
        `<sub>Opened by icewatch from public records. Evidence hash ${code(p.evidenceHash)}.</sub>`,
        '',
      ].join('\n');
    },
  };
}

/**
 * Fit the body under the limit: keep every table row when it fits, otherwise the largest number of
 * rows per table that does (binary search), and as a last resort cut the text itself.
 */
function fitBody(parts: BodyParts, marker: string, limit: number): { text: string; rows: number } {
  const room = limit - marker.length - 1;
  const all = parts.compose(parts.totalRows);
  if (all.length <= room) return { text: all, rows: parts.totalRows };
  let lo = 0;
  let hi = parts.totalRows;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (parts.compose(mid).length <= room) lo = mid;
    else hi = mid - 1;
  }
  const text = parts.compose(lo);
  return { text: text.length <= room ? text : truncate(text, room), rows: lo };
}

function titleFor(p: Proposal, options: RenderOptions): string {
  const name = titleText(p.name, 80);
  if (p.kind === 'status-change') return truncate(`Update ${name}: ${p.from} → ${p.to}`, GITHUB_TITLE_LIMIT);
  const awards = p.evidence.awards;
  const active = awards.filter((a) => a.active).length;
  if (active > 0) return truncate(`Add ${name}: ${plural(active, 'active ICE award')}`, GITHUB_TITLE_LIMIT);
  if (awards.length > 0) return truncate(`Add ${name}: ${plural(awards.length, 'ICE award')}, none active`, GITHUB_TITLE_LIMIT);
  const sources = [...new Set(p.evidence.mentions.map((m) => titleText(sourceName(m.source, options), 60)))].sort();
  return truncate(`Add ${name}: listed by ${sources.join(', ') || 'a watchdog list'}`, GITHUB_TITLE_LIMIT);
}

function commitMessageFor(p: Proposal, rendered: { title: string; files: ProposalFile[] }): string {
  const subject = truncate(rendered.title.replace(/\u200b/g, ''), 72);
  const lines = [subject, '', `icewatch proposal ${p.kind} for ${p.companyId} (evidence ${p.evidenceHash}).`, ''];
  for (const f of rendered.files) lines.push(`- ${f.path}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Snapshot retrieval times and hashes change with every scheduled fetch even when the evidence does not.
 * They are provenance, not evidence: left out of the hash that decides whether an open pull request is
 * rewritten, so a daily run does not touch every open proposal.
 */
function withoutProvenance(body: string): string {
  return body.replace(/### Snapshots\n[\s\S]*?(?=\n### |$)/, '### Snapshots\n');
}

function stableFileContent(file: ProposalFile): string {
  if (!/^data\/registry\/evidence\/[^/]+\.json$/.test(file.path)) return file.content;
  try {
    const { snapshots: _provenance, ...rest } = JSON.parse(file.content) as Record<string, unknown>;
    return stableStringify(rest);
  } catch {
    return file.content;
  }
}

export function renderProposal(proposal: Proposal, options: RenderOptions = {}): RenderedProposal {
  const files = filesOf(proposal);
  const title = titleFor(proposal, options);
  const draft =
    proposal.kind === 'add-company' &&
    options.draftBelowConfidence !== undefined &&
    proposal.confidence < options.draftBelowConfidence;
  const parts =
    proposal.kind === 'add-company' ? addCompanyParts(proposal, files, options) : statusChangeParts(proposal, files, options);
  const limit = options.bodyLimit ?? GITHUB_BODY_LIMIT;

  // The content hash is over what the marker describes, so it is computed with a placeholder of the
  // same length as the real hash and the body is fitted once.
  const placeholder: Required<ProposalMarker> = {
    id: proposal.companyId,
    kind: proposal.kind,
    evidenceHash: proposal.evidenceHash,
    contentHash: '0'.repeat(16),
  };
  const fitted = fitBody(parts, writeProposalMarker(placeholder), limit);
  const contentHash = shortHash(
    stableStringify({
      title,
      body: withoutProvenance(fitted.text),
      files: files.map((f) => ({ path: f.path, sha256: sha256(stableFileContent(f)) })),
      draft,
    }),
  );
  const marker: Required<ProposalMarker> = { ...placeholder, contentHash };
  const body = `${writeProposalMarker(marker)}\n${fitted.text}`;

  return {
    id: proposal.companyId,
    kind: proposal.kind,
    name: toPlainText(proposal.name, 120),
    branch: branchFor(proposal),
    title,
    body,
    files,
    draft,
    labels: [LABEL_BOT, proposal.kind === 'add-company' ? LABEL_ADD : LABEL_STATUS],
    commitMessage: commitMessageFor(proposal, { title, files }),
    marker,
    omittedRows: parts.totalRows - fitted.rows,
  };
}

/**
 * Keep the boxes a maintainer ticked when the bot rewrites a body: an item stays ticked when the
 * same item text is still in the new checklist.
 */
export function carryOverChecks(previousBody: string | null | undefined, nextBody: string): string {
  if (!previousBody) return nextBody;
  const ticked = new Set<string>();
  for (const line of previousBody.split(/\r?\n/)) {
    const m = /^\s*[-*] \[[xX]\] (.*)$/.exec(line);
    if (m?.[1]) ticked.add(m[1].trim());
  }
  if (ticked.size === 0) return nextBody;
  return nextBody
    .split('\n')
    .map((line) => {
      const m = /^(\s*[-*] )\[ \] (.*)$/.exec(line);
      return m?.[2] && ticked.has(m[2].trim()) ? `${m[1]}[x] ${m[2]}` : line;
    })
    .join('\n');
}
