/**
 * Repository growth of the award store: the scheduled job commits data/snapshots/ every day, so what one
 * day adds to the packed git history is what the store costs to keep. In a scratch repository: an
 * ICE-sized store (300k awards over FY2008 to the current year) is written and committed, then each of
 * 30 simulated days changes ~1 % of the current fiscal year's awards (obligations, end dates) and adds a
 * few, and is written and committed; `git gc` then `git count-objects -v` gives the packed size, against
 * the size after the first commit.
 *
 *   tsx bench/git-growth.ts [--awards 300000] [--days 30] [--json]
 *
 * The awards are made up here (deterministic, seeded); only their shape matters to the store.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AwardRecord } from '../scripts/records.ts';
import { writeAwardStore } from '../scripts/store/award-store-write.ts';

export interface GitGrowthResult {
  awards: number;
  days: number;
  changedPerDay: number;
  /** Packed size (size-pack, KiB→bytes) after the first commit and after the last day, and their difference. */
  initialPackBytes: number;
  finalPackBytes: number;
  addedBytes: number;
  /** The store's own size on disk (all partitions). */
  storeBytes: number;
  writeMsPerDay: number;
}

const TODAY = new Date('2026-12-02T12:00:00Z');
/** FY2027 started 2025-10-01 + 1 year: the current fiscal year of TODAY. */
const CURRENT_FY = 2027;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VENDORS = Array.from({ length: 4_000 }, (_, i) => `VENDOR ${i.toString(36).toUpperCase()} ${['LLC', 'INC', 'CORP', 'LP', 'JV'][i % 5]}`);

function makeAward(i: number, random: () => number, fiscalYear: number): AwardRecord {
  const month = Math.floor(random() * 12);
  const year = month >= 9 ? fiscalYear - 1 : fiscalYear;
  const start = `${year}-${String(month + 1).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  const piid = `70CDCR${String(fiscalYear % 100).padStart(2, '0')}P${String(i).padStart(8, '0')}`;
  const key = `CONT_AWD_${piid}_7012_-NONE-_-NONE-`;
  const vendor = VENDORS[Math.floor(random() * VENDORS.length)]!;
  return {
    recordType: 'award',
    source: 'usaspending-download',
    awardKey: key,
    piid,
    kind: random() < 0.1 ? 'idv' : 'contract',
    recipient: { name: vendor, uei: `U${Math.floor(random() * 1e11).toString(36).toUpperCase().padStart(11, '0')}` },
    amounts: { obligated: Math.round(random() * 5e8) / 100, potential: Math.round(random() * 9e8) / 100 },
    start,
    end: `${year + 1 + Math.floor(random() * 4)}-09-30`,
    awardingSubAgency: 'U.S. Immigration and Customs Enforcement',
    awardingAgencyCode: '7012',
    naics: String(541511 + Math.floor(random() * 9)),
    description: `${['DETENTION', 'IT SUPPORT', 'TRANSPORT', 'MEDICAL', 'SOFTWARE'][Math.floor(random() * 5)]} SERVICES TASK ${i % 997}`,
    url: `https://www.usaspending.gov/award/${key}`,
  };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function packBytes(repo: string): number {
  git(repo, 'gc', '--quiet', '--prune=now');
  const line = git(repo, 'count-objects', '-v').split('\n').find((l) => l.startsWith('size-pack:'));
  return Number(line?.split(':')[1]?.trim() ?? 0) * 1024;
}

export async function measureGitGrowth(options: { awards?: number; days?: number } = {}): Promise<GitGrowthResult> {
  const total = options.awards ?? 300_000;
  const days = options.days ?? 30;
  const random = rng(20261202);
  // Federal contracting grows: later years hold more awards; the current year is two months old.
  const years = Array.from({ length: CURRENT_FY - 2008 + 1 }, (_, i) => 2008 + i);
  const weights = years.map((y) => (y === CURRENT_FY ? 0.3 : 1 + (y - 2008) * 0.05));
  const sum = weights.reduce((a, b) => a + b, 0);
  let awards: AwardRecord[] = [];
  let n = 0;
  years.forEach((fy, i) => {
    const count = Math.round((total * weights[i]!) / sum);
    for (let k = 0; k < count; k++) awards.push(makeAward(n++, random, fy));
  });
  const repo = await mkdtemp(join(tmpdir(), 'icewatch-git-growth-'));
  try {
    git(repo, 'init', '--quiet');
    git(repo, 'config', 'user.email', 'bench@example.invalid');
    git(repo, 'config', 'user.name', 'bench');
    const write = async (day: number) => {
      const started = performance.now();
      await writeAwardStore(repo, 'usaspending-download', awards, {
        retrievedAt: new Date(TODAY.getTime() + day * 86_400_000).toISOString(),
        origins: ['bench'],
        rowIssues: 0,
      });
      const ms = performance.now() - started;
      git(repo, 'add', '-A');
      git(repo, 'commit', '--quiet', '-m', `day ${day}`);
      return ms;
    };
    await write(0);
    const initialPackBytes = packBytes(repo);
    const current = () => awards.filter((a) => a.start && Number(a.start.slice(0, 4)) + (Number(a.start.slice(5, 7)) >= 10 ? 1 : 0) === CURRENT_FY);
    let changedPerDay = 0;
    let writeMs = 0;
    for (let day = 1; day <= days; day++) {
      const moving = current();
      const change = new Set(moving.filter(() => random() < 0.01).map((a) => a.awardKey));
      changedPerDay = change.size;
      awards = awards.map((a) => (change.has(a.awardKey) ? { ...a, amounts: { ...a.amounts, obligated: (a.amounts.obligated ?? 0) + 1000 }, end: '2031-09-30' } : a));
      for (let k = 0; k < Math.max(1, Math.round(change.size / 4)); k++) awards.push(makeAward(n++, random, CURRENT_FY));
      writeMs += await write(day);
    }
    const finalPackBytes = packBytes(repo);
    const storeBytes = Number(execFileSync('du', ['-sb', join(repo, 'snapshots')], { encoding: 'utf8' }).split('\t')[0]);
    return { awards: awards.length, days, changedPerDay, initialPackBytes, finalPackBytes, addedBytes: finalPackBytes - initialPackBytes, storeBytes, writeMsPerDay: writeMs / days };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { awards: { type: 'string', default: '300000' }, days: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } } });
  const result = await measureGitGrowth({ awards: Number(values.awards), days: Number(values.days) });
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    process.stdout.write(
      `${result.awards} awards, ${result.days} days, ~${result.changedPerDay} current-year awards changed a day: ` +
        `pack ${mb(result.initialPackBytes)} → ${mb(result.finalPackBytes)} (+${mb(result.addedBytes)}), store ${mb(result.storeBytes)} on disk, ` +
        `write ${(result.writeMsPerDay / 1000).toFixed(1)} s a day; target ≤ 30 MB added: ${result.addedBytes <= 30e6 ? 'pass' : 'miss'}\n`,
    );
  }
}
