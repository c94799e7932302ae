/**
 * Issue 15: the attacks a fresh clone survived only by luck. Each case is one of the issue's one-line
 * reproductions, run against a copy of the seeded world, asserting the typed error or the documented
 * behaviour and that nothing was lost or forged.
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

const AREA = 'adversary (issue 15)';
const PRIME = sharedFixture('usaspending/downloads/ICE_umn_Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv');

const only = (t: TreeState, prefix: string) => new Map([...t].filter(([k]) => k.startsWith(prefix)));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a failure').toBeInstanceOf(Error);
  return error as Error;
}

function offlineRun(root: string, log = logTo()) {
  const { dataDir, reportsDir } = dirsOf(root);
  return runPipeline({ dataDir, reportsDir, asOf: AS_OF, now: NOW, offline: true, log });
}

/**
 * Adds copies of one real in-scope award under other recipient names to a data directory's download
 * snapshot, through the store (so count and hash stay right). Returns the new award keys.
 */
async function addAwards(dataDir: string, names: string[], template = 'CONT_AWD_70CTD020FR0000026_7012_HHSN316201200035W_7529'): Promise<string[]> {
  const snapshot = (await readSnapshot(dataDir, 'usaspending-download'))!;
  const base = snapshot.records.find((r) => r.recordType === 'award' && r.awardKey === template);
  if (!base || base.recordType !== 'award') throw new Error('template award missing');
  const keys = names.map((_, i) => `CONT_AWD_70CDCR26FADV${String(i).padStart(4, '0')}_7012_-NONE-_-NONE-`);
  const extra = names.map((name, i) => ({
    ...base,
    awardKey: keys[i]!,
    piid: `70CDCR26FADV${String(i).padStart(4, '0')}`,
    recipient: { name },
    end: '2027-12-31',
    url: `https://www.usaspending.gov/award/${keys[i]}`,
  }));
  const { writeSnapshot } = await import('../../scripts/snapshots/store.ts');
  const { recordCount: _c, contentHash: _h, source: _s, ...meta } = snapshot.meta;
  await writeSnapshot(dataDir, 'usaspending-download', [...snapshot.records, ...extra], meta);
  return keys;
}

/** Adds entries to the companies-that-work-with-ice snapshot, through the store. */
async function addMentions(dataDir: string, entries: Array<{ name: string; awardRefs?: string[]; evidenceUrl?: string }>): Promise<void> {
  const id = 'companies-that-work-with-ice';
  const snapshot = (await readSnapshot(dataDir, id))!;
  const list = snapshot.records.find((r) => r.recordType === 'mention');
  if (!list || list.recordType !== 'mention') throw new Error('no mention to copy');
  const extra = entries.map((e) => ({ recordType: 'mention' as const, source: id, list: list.list, name: e.name, url: list.url, ...(e.evidenceUrl ? { evidenceUrl: e.evidenceUrl } : {}), ...(e.awardRefs ? { awardRefs: e.awardRefs } : {}) }));
  const { writeSnapshot } = await import('../../scripts/snapshots/store.ts');
  const { recordCount: _c, contentHash: _h, source: _s, ...meta } = snapshot.meta;
  await writeSnapshot(dataDir, id, [...snapshot.records, ...extra], meta);
}

/** A process that stays alive until killed: its pid is a live writer's. */
function liveProcess(): { pid: number; stop: () => void } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

export function registerAdversaryFaults(world: () => World): void {
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

  // ---- item 1 --------------------------------------------------------------------------------
  faultCase(AREA, 'item 1: a link from the dry-run folder to the registry: the run stops, the registry is whole', async (c) => {
    const root = await copyOf(world().root, 'adv-symlink');
    const { dataDir, reportsDir } = dirsOf(root);
    const managed = join(reportsDir, 'proposals', 'icewatch');
    await rm(managed, { recursive: true, force: true });
    await mkdir(join(reportsDir, 'proposals'), { recursive: true });
    await symlink('../../data/registry', managed);
    const before = await treeState(join(dataDir, 'registry'));
    const run = await offlineRun(root);
    const { proposeFromPlan } = await import('../../scripts/pipeline/propose-command.ts');
    const error = await rejection(proposeFromPlan({ plan: run.result.plan, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log: logTo() }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/is a symbolic link; the dry-run folder .* is never followed out of place/);
    c.nothingLost('the registry', before, await treeState(join(dataDir, 'registry')));
  });

  // ---- item 11 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 11: a forged plan naming ../../../../tmp/x or package.json writes nothing, even past the plan check', async (c) => {
    const root = await copyOf(world().root, 'adv-plan');
    const { dataDir, reportsDir } = dirsOf(root);
    const run = await offlineRun(root);
    const add = run.result.plan.proposals.find((p) => p.kind === 'add-company')!;
    const outside = join(await scratchDir('adv-plan-outside'), 'x');
    const forged = { ...add, companyId: `../../../..${outside}` };
    const planFile = join(root, 'forged-plan.json');
    await writeFile(planFile, JSON.stringify({ ...run.result.plan, proposals: [forged] }));
    const { readPlanFile } = await import('../../scripts/pipeline/run.ts');
    await expect(readPlanFile(planFile)).rejects.toThrow(/companyId: expected a registry id/);
    // The dry run itself also refuses a path that leaves its folder.
    const before = await treeState(root);
    const { proposeFromPlan } = await import('../../scripts/pipeline/propose-command.ts');
    const error = await rejection(proposeFromPlan({ plan: { ...run.result.plan, proposals: [forged] }, dataDir, reportsDir, config: run.config, dryRun: true, github: {}, log: logTo() }));
    expect(error.message).toMatch(/outside|branch|refusing/);
    await expect(readdir(outside)).rejects.toThrow();
    c.nothingLost('data/ and reports/', only(before, 'data/'), only(await treeState(root), 'data/'));
  });

  // ---- item 2 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 2: a procurement snapshot cut mid-line is unknown, not "no records"', async (c) => {
    const root = await copyOf(world().root, 'adv-trunc');
    const { dataDir, reportsDir } = dirsOf(root);
    const previous = await readLastRun(dataDir);
    const before = await treeState(root);
    await truncate(snapshotPaths(dataDir, 'usaspending').records, 90_000);
    const lines: string[] = [];
    const run = await offlineRun(root, logTo(lines));
    const plan = run.result.plan;
    expect(plan.unknownSources).toEqual(['usaspending']);
    expect(plan.transitions).toEqual([]);
    expect(plan.proposals.filter((p) => p.kind === 'status-change')).toEqual([]);
    expect(run.health.find((h) => h.source === 'usaspending')?.message).toMatch(/unknown this run/);
    expect(lines.some((l) => /usaspending: snapshot unreadable, source unknown this run/.test(l))).toBe(true);
    // Statuses keep their last-run values, and the state does not move for registry companies.
    for (const s of run.result.summaries) if (previous?.companies[s.id]) expect(s.status).toBe(previous.companies[s.id]!.status);
    c.keeps('last-run companies', JSON.stringify((await readLastRun(dataDir))?.companies) === JSON.stringify(previous?.companies));
    const after = await treeState(root);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(after, 'data/published/'));
    const report = await readFile(join(reportsDir, `${AS_OF}.md`), 'utf8');
    expect(report).toContain('**Unknown this run:** `usaspending`');
  });

  // ---- item 3 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 3: records cut at a line boundary do not match their meta and are refused', async (c) => {
    const root = await copyOf(world().root, 'adv-cutline');
    const { dataDir } = dirsOf(root);
    const paths = snapshotPaths(dataDir, 'usaspending');
    const text = await readFile(paths.records, 'utf8');
    await writeFile(paths.records, `${text.split('\n').slice(0, 100).join('\n')}\n`);
    const error = await rejection(readSnapshot(dataDir, 'usaspending'));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/100 lines.*do not match their meta \(\d+ records/);
    const before = await treeState(root);
    const run = await offlineRun(root);
    expect(run.result.plan.unknownSources).toEqual(['usaspending']);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(await treeState(root), 'data/published/'));
  });

  faultCase(
    AREA,
    'item 3: a writer killed (SIGKILL) between the records rename and the meta rename: the next read rolls the commit forward',
    async (c) => {
      const cleanRoot = await copyOf(world().root, 'adv-kill-clean');
      await updateSource({ source: sources.get('usaspending-download')!, dataDir: dirsOf(cleanRoot).dataDir, from: [PRIME], now: NOW, log: logTo() });
      const expected = await snapshotState(dirsOf(cleanRoot).dataDir, 'usaspending-download');

      const root = await copyOf(world().root, 'adv-kill');
      const { dataDir } = dirsOf(root);
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/faults/snapshot-crash-child.ts'), dataDir, PRIME, NOW.toISOString()], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const between = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('between') && resolve(true));
        void exited.then(() => resolve(false));
      });
      expect(between, `the child never reached the meta rename: ${stderr}`).toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // The new records are in place, the old meta beside them, the new meta staged.
      const files = await readdir(join(dataDir, 'snapshots'));
      expect(files.some((f) => f.startsWith('.usaspending-download.meta.json.') && f.endsWith('.tmp'))).toBe(true);

      const snapshot = await readSnapshot(dataDir, 'usaspending-download');
      expect(snapshot?.meta.recordCount).toBe(snapshot?.records.length);
      const after = await snapshotState(dataDir, 'usaspending-download');
      c.keeps('the committed pair is the one the killed writer staged', [...after.keys()].every((k) => after.get(k)!.equals(expected.get(k)!)));
      expect(tempFiles(await treeState(join(dataDir, 'snapshots')))).toEqual([]);
    },
    60_000,
  );

  // ---- item 4 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 4: records without their meta are a corrupt snapshot, and an import never replaces them', async (c) => {
    const root = await copyOf(world().root, 'adv-nometa');
    const { dataDir } = dirsOf(root);
    await rm(snapshotPaths(dataDir, 'usaspending').meta);
    const before = await snapshotState(dataDir, 'usaspending');
    const fy13 = sharedFixture('ice-history/fy13_ICE_transactions_selected_vendors.NOHEADER.csv');
    const error = await rejection(updateSource({ source: sources.get('usaspending')!, dataDir, from: [fy13], now: NOW, log: logTo() }));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/no usaspending\.meta\.json: a snapshot without its meta is corrupt, not absent/);
    c.nothingLost('the history', before, await snapshotState(dataDir, 'usaspending'));
  });

  // ---- item 5 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 5: two concurrent imports into one data directory: one waits its turn (refused), none is lost', async (c) => {
    const root = await copyOf(world().root, 'adv-race');
    const { dataDir } = dirsOf(root);
    const source = sources.get('usaspending-download')!;
    const subawards = sharedFixture('usaspending/downloads/ICE_mn_Contracts_Subawards_2025-03-21_H19M57S41_1.csv');
    const results = await Promise.allSettled([
      updateSource({ source, dataDir, from: [PRIME], now: NOW, log: logTo() }),
      updateSource({ source, dataDir, from: [subawards], now: NOW, log: logTo() }),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(StoreError);
    expect(reason.message).toMatch(new RegExp(`in use by process ${process.pid} .*update usaspending-download.*delete .*${LOCK_FILE}`));
    const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof updateSource>>>;
    const snapshot = await readSnapshot(dataDir, source.id);
    c.keeps('the import that ran is whole', snapshot?.meta.contentHash === won.value.meta.contentHash);
    await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toThrow();
  });

  faultCase(AREA, 'item 5: a lock left by a dead process is stale and taken over; a live holder is named', async () => {
    const { dataDir } = dirsOf(await copyOf(world().root, 'adv-stale'));
    const live = liveProcess();
    try {
      await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: live.pid, host: (await import('node:os')).hostname(), purpose: 'run', since: NOW.toISOString(), token: 'x' }));
      const error = await rejection(withDataLock(dataDir, 'test', async () => undefined));
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toContain(`in use by process ${live.pid}`);
    } finally {
      live.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    await expect(withDataLock(dataDir, 'test', async () => 'ran')).resolves.toBe('ran');
    await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toThrow();
  });

  faultCase(AREA, "item 5: a write never deletes another live process's temp file (only a dead one's)", async () => {
    const dir = await scratchDir('adv-temps');
    const target = join(dir, 'x.jsonl');
    const live = liveProcess();
    const theirs = join(dir, `.x.jsonl.${live.pid}.0123abcd.tmp`);
    const dead = join(dir, '.x.jsonl.999999999.89abcdef.tmp');
    try {
      await writeFile(theirs, 'a large import in progress');
      await writeFile(dead, 'left by a killed run');
      await writeFileAtomic(target, 'small\n');
      expect(await readFile(theirs, 'utf8')).toBe('a large import in progress');
      await expect(readFile(dead)).rejects.toThrow();
    } finally {
      live.stop();
    }
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
    expect(proposals.summary).toMatch(/more wait for a free slot/);
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

  // ---- item 13 (the store's part) ----------------------------------------------------------
  faultCase(AREA, 'item 13: a read-only data directory is a StoreError naming what to fix', async (c) => {
    // chmod alone does not stop root (these tests may run as root), so the EACCES is also injected.
    const root = await copyOf(world().root, 'adv-ro');
    const { dataDir } = dirsOf(root);
    const before = await treeState(root);
    const published = join(dataDir, 'published', 'v1');
    await chmod(published, 0o555);
    armFsFault({ op: 'writeFile', match: (p) => p.includes(`${sep}published${sep}v1${sep}`), failOnCall: 1, code: 'EACCES' });
    try {
      const error = await rejection(runPipeline({ dataDir, reportsDir: dirsOf(root).reportsDir, asOf: '2027-01-15', now: new Date('2027-01-15T12:00:00Z'), offline: true, log: logTo() }));
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toMatch(/cannot write .*published.v1.*\(EACCES\): the folder is read-only or not yours; make it writable/);
    } finally {
      disarmFsFault();
      await chmod(published, 0o755);
    }
    c.nothingLost('data/ and reports/', before, await treeState(root));
  });

  faultCase(AREA, 'item 13: a full disk (ENOSPC) while importing is a StoreError, and the snapshot stays whole', async (c) => {
    const root = await copyOf(world().root, 'adv-enospc');
    const { dataDir } = dirsOf(root);
    const before = await snapshotState(dataDir, 'usaspending-download');
    armFsFault({ op: 'writeFile', match: (p) => p.includes(`${sep}snapshots${sep}`), failOnCall: 1, code: 'ENOSPC' });
    let error: Error;
    try {
      error = await rejection(updateSource({ source: sources.get('usaspending-download')!, dataDir, from: [PRIME], now: NOW, log: logTo() }));
    } finally {
      disarmFsFault();
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/the disk is full writing .*usaspending-download\.meta\.json \(ENOSPC\); free space and run again/);
    c.nothingLost('snapshot', before, await snapshotState(dataDir, 'usaspending-download'));
    expect(tempFiles(await treeState(join(dataDir, 'snapshots')))).toEqual([]);
  });

  faultCase(AREA, 'item 13: a corrupt last-run.json is a StoreError that says how to recover', async (c) => {
    const root = await copyOf(world().root, 'adv-lastrun');
    const { dataDir } = dirsOf(root);
    await appendFile(join(dataDir, 'state', 'last-run.json'), '{ garbage');
    const before = await treeState(root);
    const error = await rejection(offlineRun(root));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/last-run\.json is not JSON .*restore it from git .*or delete it to start a new baseline/);
    c.nothingLost('data/ and reports/', before, await treeState(root));
  });

  faultCase(AREA, 'item 13: --data naming a file is a StoreError', async () => {
    const dir = await scratchDir('adv-datafile');
    const file = join(dir, 'data');
    await writeFile(file, 'not a folder');
    const error = await rejection(updateSource({ source: sources.get('usaspending-download')!, dataDir: file, from: [PRIME], now: NOW, log: logTo() }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/is not a directory; --data must name the folder/);
    expect(await readFile(file, 'utf8')).toBe('not a folder');
  });

  faultCase(AREA, 'item 13: a meta whose .jsonl is missing is a typed error naming the missing file', async (c) => {
    const root = await copyOf(world().root, 'adv-nojsonl');
    const { dataDir } = dirsOf(root);
    await rm(snapshotPaths(dataDir, 'fpds').records);
    const error = await rejection(readSnapshot(dataDir, 'fpds'));
    expect(error).toBeInstanceOf(SourceFormatError);
    expect(error.message).toMatch(/meta exists but its records file fpds\.jsonl is missing; restore both from git/);
    const before = await treeState(root);
    const run = await offlineRun(root);
    expect(run.result.plan.unknownSources).toEqual(['fpds']);
    c.nothingLost('published outputs', only(before, 'data/published/'), only(await treeState(root), 'data/published/'));
  });

  // ---- item 14 -------------------------------------------------------------------------------
  faultCase(AREA, 'item 14: an obligation of 99999999999999999999999 and an end date of 9999-12-31 are row issues', async (c) => {
    const rows = parseCsv(await readFile(PRIME), { columns: false, bom: true }) as string[][];
    const header = rows[0]!;
    const col = (name: string) => header.indexOf(name);
    const forged = rows.map((row, i) => {
      if (i === 1) row[col('total_obligated_amount')] = '99999999999999999999999';
      if (i === 2) row[col('period_of_performance_current_end_date')] = '9999-12-31';
      return row;
    });
    const file = join(await scratchDir('adv-implausible'), 'Contracts_PrimeAwardSummaries_forged_1.csv');
    await writeFile(file, toCsv(forged));
    const dataDir = join(await scratchDir('adv-implausible-data'), 'data');
    const result = await updateSource({ source: sources.get('usaspending-download')!, dataDir, from: [file], now: NOW, log: logTo() });
    expect(result.rowIssues.map((r) => r.field)).toEqual(expect.arrayContaining(['amounts.obligated', 'end']));
    expect(result.rowIssues.find((r) => r.field === 'amounts.obligated')?.message).toMatch(/amount 9{16}\d{7} is beyond any real award/);
    expect(result.rowIssues.find((r) => r.field === 'end')?.message).toMatch(/9999-12-31 is outside/);
    expect(result.records).toHaveLength(rows.length - 1 - 2);
    const jsonl = await readFile(snapshotPaths(dataDir, 'usaspending-download').records, 'utf8');
    c.keeps('no exponent notation and no placeholder date reach the snapshot', !/e\+\d/.test(jsonl) && !jsonl.includes('9999-12-31'));
  });
}

