/**
 * Issue 15, forged and flooding content: plain URLs and `|` in links, look-alike and invisible names,
 * forged award links, a 20,000-name flood, control characters, equal-stamp duplicates, a renamed list
 * heading. Each asserts what reaches the plan and the outputs.
 */
import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as toCsv } from 'csv-stringify/sync';
import { expect } from 'vitest';
import MarkdownIt from 'markdown-it';
import { table } from '../../scripts/publish/format.ts';
import { escapeMarkdown, markdownLink, withoutAutolinks } from '../../scripts/util/sanitize.ts';
import { readLastRun } from '../../scripts/plan/last-run.ts';
import { runPipeline } from '../../scripts/pipeline/run.ts';
import { LOCK_FILE, withDataLock } from '../../scripts/snapshots/data-lock.ts';
import { readSnapshot, snapshotPaths } from '../../scripts/snapshots/store.ts';
import { updateSource } from '../../scripts/snapshots/update-source.ts';
import { sources } from '../../scripts/sources/index.ts';
import { PLAN_PROPOSAL_LIMIT } from '../../scripts/plan/build-plan.ts';
import { writeFileAtomic } from '../../scripts/util/atomic-fs.ts';
import { SourceFormatError, StoreError } from '../../scripts/util/errors.ts';
import { sharedFixture } from '../helpers/shared-fixtures.ts';
import { armFsFault, disarmFsFault } from './fs-faults.ts';
import { copyOf, scratchDir, snapshotState, tempFiles, treeState, type TreeState } from './fs-state.ts';
import { faultCase } from './ledger.ts';
import { AS_OF, dirsOf, logTo, NOW, REPO, type World } from './world.ts';

import { addAwards, addMentions, AREA, liveProcess, offlineRun, only, PRIME, rejection } from './adversary-helpers.ts';

export function registerAdversaryContentFaults(world: () => World): void {
  // ---- items 9 and 10 ------------------------------------------------------------------------
  faultCase(AREA, 'item 9: plain URLs in outside text never become live links in Markdown', async () => {
    const md = new MarkdownIt({ linkify: true });
    const text = 'see https://github.com/octo/repo/issues/1, HTTP://evil.example and www.evil.example or mailto:a@b.example';
    const html = md.render(escapeMarkdown(text, 400));
    expect(html).not.toContain('<a ');
    // The reader still sees the same characters.
    expect(html.replace(/&#8203;|\u200b/g, '')).toContain('https://github.com/octo/repo/issues/1');
    // A deliberate link keeps working.
    expect(md.render(markdownLink('award', 'https://www.usaspending.gov/award/CONT_AWD_X'))).toContain('<a href="https://www.usaspending.gov/award/CONT_AWD_X">');
    expect(withoutAutolinks('PR: https://github.com/o/r/issues/2')).toBe('PR: https\u200b://github.com/o/r/issues/2');
  });

  faultCase(AREA, 'item 10: a "|" in an evidence URL cannot forge a table cell', async () => {
    const md = new MarkdownIt();
    const forged = 'https://evil.example/x|**forged cell**|https://github.com/o/r/issues/3';
    const rendered = md.render(table([['Award', 'Obligated'], [markdownLink('award', forged), '$1.00']]));
    const cells = rendered.match(/<td>/g) ?? [];
    expect(cells).toHaveLength(2);
    expect(rendered).toContain('href="https://evil.example/x%7C**forged%20cell**%7Chttps://github.com/o/r/issues/3"');
  });

  // ---- item 8 --------------------------------------------------------------------------------
  faultCase(AREA, 'item 8: look-alike spellings of a registry company never open an "add" proposal; a non-Latin name goes to review', async (c) => {
    const root = await copyOf(world().root, 'adv-confusable');
    const { dataDir } = dirsOf(root);
    const spellings = ['P\u0410LANTIR TECHNOLOGIES INC.', 'PALAN\u00adTIR TECHNOLOGIES INC.', 'PALANTIR\u3164TECHNOLOGIES INC.', 'PALANTIR TECHNOLOGIES\u{E0020}\u{E0041} INC.', '株式会社テスト'];
    const added = await addAwards(dataDir, spellings);
    const run = await offlineRun(root);
    const plan = run.result.plan;
    const adds = plan.proposals.filter((p) => p.kind === 'add-company');
    expect(adds.filter((p) => /palan|tir|technolog/i.test(p.companyId) || /PAL|TIR/i.test(p.name.normalize('NFKC')))).toEqual([]);
    // Folded, they are Palantir's awards, exactly as the plain ASCII spelling would be.
    const palantir = run.result.attribution.awards.get('palantir') ?? [];
    for (const key of added.slice(0, 4)) expect(palantir.some((a) => a.award.awardKey === key)).toBe(true);
    // The name with no Latin letters is never dropped: it is in review under its raw spelling.
    const review = plan.reviewQueue.find((r) => r.awardKey === added[4]);
    c.keeps('the non-Latin recipient is in review', review?.name === '株式会社テスト');
  });

  faultCase(AREA, 'item 8: match --input removes invisible and tag characters and folds look-alikes', async () => {
    const { normalizedText } = await import('../../scripts/match/normalize.ts');
    expect(normalizedText('P\u0410LANTIR TECHNOLOGIES INC.')).toBe(normalizedText('PALANTIR TECHNOLOGIES INC.'));
    expect(normalizedText('PALAN\u00adTIR\u200b TECHNOLOGIES')).toBe('palantir technologies');
    expect(normalizedText('PALANTIR\u3164TECHNOLOGIES')).toBe('palantir technologies');
    expect(normalizedText('ООО РОМАШКА')).toBe('ооо ромашка');
    const { readMatchInput, runMatch } = await import('../../scripts/pipeline/match-command.ts');
    const { loadValidRegistry } = await import('../../scripts/registry/load.ts');
    const { registry } = await loadValidRegistry(dirsOf(world().root).dataDir);
    const file = join(await scratchDir('adv-match'), 'input.jsonl');
    await writeFile(file, `${JSON.stringify({ recipient_name: 'PALANTIR\u{E0041}\u00ad TECHNOLOGIES INC.' })}\n${JSON.stringify({ recipient_name: 'P\u0410LANTIR TECHNOLOGIES INC.' })}\n`);
    const lines = runMatch(registry, await readMatchInput(file)).map((l) => JSON.parse(l) as { name: string; matches: Array<{ companyId: string; confidence: number }> });
    expect(lines[0]?.name).toBe('PALANTIR TECHNOLOGIES INC.');
    for (const line of lines) expect(line.matches[0]).toMatchObject({ companyId: 'palantir' });
    for (const line of lines) expect(line.matches[0]!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  // ---- item 6 --------------------------------------------------------------------------------
  faultCase(AREA, 'item 6: a watchdog page that suddenly links 20,000 names is refused like a shrink, until a maintainer accepts it', async (c) => {
    const id = 'companies-that-work-with-ice';
    const root = await copyOf(world().root, 'adv-flood');
    const { dataDir, reportsDir } = dirsOf(root);
    const before = await snapshotState(dataDir, id);
    const page = await readFile(sharedFixture('watchdogs/companies-that-work-with-ice/index.upstream-b155e67.md'), 'utf8');
    const flood = Array.from({ length: 20_000 }, (_, i) => `- [Flood Example ${i} LLC](https://www.usaspending.gov/award/${70_000_000 + i})`).join('\n');
    const file = join(await scratchDir('adv-flood-page'), 'index.md');
    await writeFile(file, `${page.trimEnd()}\n${flood}\n`);
    const error = await rejection(updateSource({ source: sources.get(id)!, dataDir, from: [file], now: NOW, log: logTo() }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/parse yielded 201\d\d records(?: on list .*)? where the last snapshot has \d+: more than 10 times as many is implausible; .*--accept-change/);
    c.nothingLost('the list', before, await snapshotState(dataDir, id));

    // The maintainer accepts it: every output stays bounded all the same.
    await updateSource({ source: sources.get(id)!, dataDir, from: [file], now: NOW, log: logTo(), acceptChange: true });
    const run = await offlineRun(root);
    const { proposeFromPlan } = await import('../../scripts/pipeline/propose-command.ts');
    const proposals = await proposeFromPlan({ plan: run.result.plan, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log: logTo() });
    expect(run.result.plan.proposals.length).toBeLessThanOrEqual(PLAN_PROPOSAL_LIMIT * 2);
    const branches = await readdir(join(reportsDir, 'proposals', 'icewatch'));
    expect(branches.length).toBeLessThanOrEqual(run.config.proposals.maxOpen);
    // The flood's own links resolve to no award (item 7), so its names wait in review; what the real
    // recordings propose beyond the open cap waits for a slot.
    const adds = run.result.plan.proposals.filter((p) => p.kind === 'add-company').length;
    if (adds > run.config.proposals.maxOpen) expect(proposals.summary).toMatch(/more wait for a free slot/);
    expect(run.result.plan.reviewQueue.filter((r) => r.name.startsWith('Flood Example')).length).toBeGreaterThan(19_000);
    const reportJson = await readFile(join(reportsDir, `${AS_OF}.json`));
    expect(reportJson.length).toBeLessThan(20 * 1024 * 1024);
    const reportMd = await readFile(join(reportsDir, `${AS_OF}.md`));
    expect(reportMd.length).toBeLessThan(2 * 1024 * 1024);
    const { renderDashboard } = await import('../../scripts/github/dashboard.ts');
    const { GITHUB_BODY_LIMIT } = await import('../../scripts/github/render-proposal.ts');
    const waiting = run.result.plan.candidates.map((x) => ({ id: x.companyId, title: `Add ${x.name}`, branch: `icewatch/add-${x.companyId}` }));
    const dashboard = renderDashboard({ open: [], waiting: waiting as never, needsMaintainer: [], dismissed: [], reviewQueue: run.result.plan.reviewQueue });
    expect(run.result.plan.candidates.length + run.result.plan.reviewQueue.length).toBeGreaterThan(20_000);
    expect(dashboard.body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
  }, 120_000);

  // ---- item 7 --------------------------------------------------------------------------------
  faultCase(AREA, 'item 7: a usaspending.gov link on a watchdog page is award evidence only when it resolves to an award we hold', async (c) => {
    const root = await copyOf(world().root, 'adv-links');
    const { dataDir } = dirsOf(root);
    const real = 'CONT_AWD_70CTD020FR0000026_7012_HHSN316201200035W_7529';
    await addMentions(dataDir, [
      { name: 'Forged Example Corp', awardRefs: ['CONT_AWD_FORGED_7012_-NONE-_-NONE-'], evidenceUrl: 'https://www.usaspending.gov/award/CONT_AWD_FORGED_7012_-NONE-_-NONE-' },
      { name: 'Linked Example Corp', awardRefs: [real], evidenceUrl: `https://www.usaspending.gov/award/${real}` },
    ]);
    const plan = (await offlineRun(root)).result.plan;
    const ids = plan.candidates.map((x) => x.companyId);
    c.keeps('a forged link makes no candidate', !ids.includes('forged-example'), ids.join(','));
    expect(plan.proposals.some((p) => p.companyId === 'forged-example')).toBe(false);
    expect(plan.reviewQueue.some((r) => r.kind === 'mention' && r.name === 'Forged Example Corp')).toBe(true);
    expect(ids).toContain('linked-example');
  });

  // ---- item 16 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 16: a renamed Techqueria heading is a structure change, not list removals', async (c) => {
    const root = await copyOf(world().root, 'adv-heading');
    const { dataDir } = dirsOf(root);
    const page = await readFile(sharedFixture('watchdogs/techqueria/no-tech-for-ice.2020-02-17.ea48a571.with-never-reached-out.md'), 'utf8');
    const file = join(await scratchDir('adv-heading-page'), 'no-tech-for-ice.md');
    await writeFile(file, page.replace('### Declined', '### Companies We Declined'));
    const result = await updateSource({ source: sources.get('techqueria')!, dataDir, from: [file], now: NOW, log: logTo() });
    expect(result.meta.unrecognisedLists).toBe(1);
    const run = await offlineRun(root);
    const declined = run.result.plan.listChanges.filter((l) => l.source === 'techqueria' && l.list === 'declined');
    expect(declined).toHaveLength(1);
    expect(declined[0]?.removed).toEqual([]);
    expect(declined[0]?.structureChange).toMatch(/renamed heading/);
    expect(run.result.plan.proposals.filter((p) => p.kind === 'status-change' && /no longer lists/.test(p.reason))).toEqual([]);
    const state = await readLastRun(dataDir);
    c.keeps('the declined names stay in the state', (state?.lists.find((l) => l.source === 'techqueria' && l.list === 'declined')?.names.length ?? 0) > 0);
  });

  faultCase(AREA, 'item 16: NUL and control characters fail validate and never reach the CSVs', async () => {
    const root = await copyOf(world().root, 'adv-nul');
    const { dataDir } = dirsOf(root);
    const file = join(dataDir, 'registry', 'companies', 'palantir.yaml');
    const yaml = await readFile(file, 'utf8');
    await writeFile(file, yaml.replace('name: Palantir Technologies', 'name: "Palantir\\0 Tech\\x1b[31mnologies"'));
    const { loadRegistry } = await import('../../scripts/registry/load.ts');
    const { problems } = await loadRegistry(dataDir);
    const problem = problems.find((p) => p.rule === 'control-characters');
    expect(problem?.severity).toBe('error');
    expect(problem?.message).toMatch(/^name contains a control character/);
    const { toCsv } = await import('../../scripts/publish/csv.ts');
    expect(toCsv(['name'], [['A\u0000B\u001bC\u0085D']])).toBe('name\nABCD\n');
  });

  faultCase(AREA, 'item 16: duplicate award keys with equal last_modified_date resolve the same whatever the row order, with a warning', async () => {
    const rows = parseCsv(await readFile(PRIME), { columns: false, bom: true }) as string[][];
    const header = rows[0]!;
    const twin = [...rows[1]!];
    twin[header.indexOf('total_obligated_amount')] = '12345.67';
    const write = async (name: string, body: string[][]) => {
      const file = join(await scratchDir('adv-dup'), name);
      await writeFile(file, toCsv(body));
      return file;
    };
    const forward = await write('Contracts_PrimeAwardSummaries_a_1.csv', [header, rows[1]!, twin, ...rows.slice(2)]);
    const backward = await write('Contracts_PrimeAwardSummaries_b_1.csv', [header, twin, rows[1]!, ...rows.slice(2)]);
    const lines: string[] = [];
    const a = await updateSource({ source: sources.get('usaspending-download')!, dataDir: join(await scratchDir('adv-dup-a'), 'data'), from: [forward], now: NOW, log: logTo(lines) });
    const b = await updateSource({ source: sources.get('usaspending-download')!, dataDir: join(await scratchDir('adv-dup-b'), 'data'), from: [backward], now: NOW, log: logTo() });
    expect(a.meta.contentHash).toBe(b.meta.contentHash);
    expect(lines.some((l) => /warning: 1 award key\(s\) appear twice with the same last_modified_date/.test(l))).toBe(true);
  });
}
