import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NARROW_COLUMNS, generateAwardRows, generateRegistry, writeDataset, type AwardRow, type CompanyProfile } from '../../bench/generate.ts';
import { Rng, Zipf, mulberry32 } from '../../bench/prng.ts';
import { companySchema } from '../../scripts/registry/schema.ts';
import type { AwardRecord } from '../../scripts/records.ts';
import { parseDownloadInputs } from '../../scripts/sources/usaspending-download/parse.ts';

const registry = generateRegistry(42);
const ROWS = 20_000;
const rows: AwardRow[] = [...generateAwardRows(registry, { count: ROWS })];

/** Words of a recipient name as the tests compare them: capitals, split on anything not a letter or digit. */
function words(text: string): string[] {
  return text.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

/** Every coined word in the registry: brands, own-brand subsidiaries' first words, product names. */
const coined = new Set<string>();
for (const p of registry.profiles) {
  coined.add(p.brand.toUpperCase());
  for (const s of p.subsidiaries) coined.add(words(s.base)[0]!);
  for (const term of p.products) coined.add(term.toUpperCase());
}

function profile(id: string): CompanyProfile {
  const p = registry.byId.get(id);
  if (!p) throw new Error(`no company ${id}`);
  return p;
}

/** Expected pairs for a company's own record: itself, then its registry parent as `subsidiary`. */
function ownPairs(p: CompanyProfile, relation: 'direct' | 'subsidiary' | 'via-reseller'): Array<{ companyId: string; relation: string }> {
  const up = relation === 'via-reseller' ? 'via-reseller' : 'subsidiary';
  return [{ companyId: p.id, relation }, ...(p.parentId ? [{ companyId: p.parentId, relation: up }] : [])];
}

/** At most one edit (insert, delete, substitute, or swap of neighbours) between a and b. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff = [...a].map((c, i) => (c === b[i] ? -1 : i)).filter((i) => i >= 0);
    if (diff.length === 1) return true;
    return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}

describe('PRNG', () => {
  it('mulberry32 gives the same sequence for a seed and a different one for another seed', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('Zipf puts most draws on the first ranks', () => {
    const rng = new Rng(7);
    const zipf = new Zipf(1000, 1);
    const counts = new Array<number>(1000).fill(0);
    for (let i = 0; i < 20_000; i++) counts[zipf.sample(rng)]!++;
    expect(counts[0]!).toBeGreaterThan(counts[10]! * 5);
    expect(counts.slice(0, 10).reduce((x, y) => x + y, 0)).toBeGreaterThan(20_000 * 0.3);
  });
});

describe('generateRegistry', () => {
  it('is deterministic per seed', () => {
    expect(JSON.stringify(generateRegistry(42).companies)).toBe(JSON.stringify(registry.companies));
    expect(JSON.stringify(generateRegistry(43).companies)).not.toBe(JSON.stringify(registry.companies));
  });

  it('makes 2,000 valid companies with unique ids and brand words', () => {
    expect(registry.companies).toHaveLength(2000);
    for (const company of registry.companies) expect(companySchema.parse(company)).toEqual(company);
    expect(new Set(registry.companies.map((c) => c.id)).size).toBe(2000);
    expect(new Set(registry.profiles.map((p) => p.brand.toLowerCase())).size).toBe(2000);
  });

  it('gives every company its brand in its name, and one-level parents that exist', () => {
    for (const p of registry.profiles) {
      const company = registry.companies.find((c) => c.id === p.id)!;
      expect(words(company.name)).toContain(p.brand.toUpperCase());
      if (p.parentId) {
        expect(company.parent).toBe(p.parentId);
        expect(profile(p.parentId).parentId).toBeUndefined();
      }
    }
  });

  it('has each feature the award rows draw on', () => {
    const count = (f: (p: CompanyProfile) => boolean) => registry.profiles.filter(f).length;
    expect(count((p) => p.reseller)).toBeGreaterThanOrEqual(4);
    expect(registry.companies.filter((c) => c.roles.includes('reseller'))).toHaveLength(count((p) => p.reseller));
    expect(count((p) => p.theName)).toBeGreaterThan(20);
    expect(count((p) => p.subsidiaries.length > 0)).toBeGreaterThan(100);
    expect(count((p) => p.products.length > 0)).toBeGreaterThan(200);
    expect(count((p) => p.falseFriends.length > 0)).toBeGreaterThan(20);
    expect(count((p) => p.parentId !== undefined)).toBeGreaterThan(20);
    expect(count((p) => p.weak !== undefined)).toBeGreaterThan(100);
  });
});

describe('generateAwardRows', () => {
  it('is deterministic for a seed and count', () => {
    const digest = (list: AwardRow[]) => createHash('sha256').update(JSON.stringify(list)).digest('hex');
    const first = [...generateAwardRows(registry, { count: 500 })];
    expect(digest([...generateAwardRows(registry, { count: 500 })])).toBe(digest(first));
    expect(digest([...generateAwardRows(registry, { count: ROWS })])).toBe(digest(rows));
    expect(digest([...generateAwardRows(registry, { count: 500, seed: 7 })])).not.toBe(digest(first));
  });

  it('gives every row a unique award key consistent with its PIID and kind', () => {
    const keys = new Set(rows.map((r) => r.cells.contract_award_unique_key));
    expect(keys.size).toBe(ROWS);
    for (const { cells } of rows) {
      const key = cells.contract_award_unique_key!;
      expect(key.startsWith(cells.award_or_idv_flag === 'IDV' ? `CONT_IDV_${cells.award_id_piid}_7012` : `CONT_AWD_${cells.award_id_piid}_7012_`)).toBe(true);
    }
  });

  it('draws most rows from recipients the registry does not know, and every kind at least once', () => {
    const kinds = new Map<string, number>();
    for (const r of rows) kinds.set(r.label.kind, (kinds.get(r.label.kind) ?? 0) + 1);
    expect(kinds.get('unknown')! / ROWS).toBeGreaterThan(0.7);
    expect(kinds.size).toBe(16);
  });

  it('labels unknown recipients and near misses with no company, and their names carry no registry word', () => {
    for (const { label, cells } of rows) {
      const name = cells.recipient_name!;
      if (label.kind === 'unknown') {
        expect(label.expected).toEqual([]);
        for (const w of [...words(name), ...words(cells.recipient_parent_name ?? '')]) expect(coined.has(w)).toBe(false);
      }
      if (label.kind === 'near-miss-prefix') {
        expect(label.expected).toEqual([]);
        // "EQUELIX.COM INCORPORATED": a registry brand glued to a prefix, never the brand itself.
        const first = words(name)[0]!;
        expect(coined.has(first)).toBe(false);
        expect(registry.profiles.some((p) => first === `E${p.brand}`.toUpperCase() || first === `I${p.brand}`.toUpperCase() || first === `MY${p.brand}`.toUpperCase())).toBe(true);
      }
      if (label.kind === 'near-miss-noun') {
        expect(label.expected).toEqual([]);
        // "QUELIX ELEVATOR CO": the brand word, then a word no registry name has.
        const w = words(name);
        expect(coined.has(w[0]!)).toBe(true);
        expect(['ELEVATOR', 'HOSE', 'PLUMBING', 'LANDSCAPING', 'BAKERY', 'MOTORS', 'ROOFING', 'PEST', 'EAGLE']).toContain(w[1]);
      }
      if (label.kind === 'false-friend') {
        expect(label.expected).toEqual([]);
        expect(registry.profiles.some((p) => p.falseFriends.some((f) => f.toUpperCase() === name))).toBe(true);
      }
    }
  });

  it("labels a company's own spellings with the company (and its parent), and the names carry its brand", () => {
    const own = ['legal-spelling', 'the-placement', 'code-suffix', 'uei', 'dba'];
    let checked = 0;
    for (const { label, cells } of rows) {
      if (!own.includes(label.kind)) continue;
      const p = profile(label.expected[0]!.companyId);
      expect(label.expected).toEqual(ownPairs(p, 'direct'));
      expect(words(cells.recipient_name!)).toContain(p.brand.toUpperCase());
      if (label.kind === 'uei') expect(cells.recipient_uei).toBe(p.uei);
      if (label.kind === 'the-placement') expect(cells.recipient_name!.toUpperCase()).toMatch(/(^THE |,? THE$)/);
      if (label.kind === 'code-suffix') expect(cells.recipient_name).toMatch(/ \(\d{4}\)$/);
      if (label.kind === 'dba') expect(cells.recipient_name).toMatch(/ (DBA|D\/B\/A|DOING BUSINESS AS) /);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('cuts truncated names at 30 characters from the start of the company name', () => {
    let checked = 0;
    for (const { label, cells } of rows) {
      if (label.kind !== 'truncated') continue;
      const p = profile(label.expected[0]!.companyId);
      const name = cells.recipient_name!;
      expect(name.length).toBeLessThanOrEqual(30);
      expect(name.length).toBeGreaterThanOrEqual(29);
      expect(label.expected).toEqual(ownPairs(p, 'direct'));
      const base = p.entity.base.toUpperCase();
      expect(base.startsWith(name) || name.startsWith(base)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('misspells only the brand, by one edit, and still labels the company', () => {
    let checked = 0;
    for (const { label, cells } of rows) {
      if (label.kind !== 'misspelt') continue;
      const p = profile(label.expected[0]!.companyId);
      const first = words(cells.recipient_name!)[p.theName ? 1 : 0]!;
      expect(withinOneEdit(first, p.brand.toUpperCase())).toBe(true);
      expect(label.expected).toEqual(ownPairs(p, 'direct'));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("labels subsidiary and parent-name rows as the registry company's subsidiary", () => {
    for (const { label, cells } of rows) {
      if (label.kind === 'subsidiary') {
        const p = profile(label.expected[0]!.companyId);
        expect(label.expected).toEqual(ownPairs(p, 'subsidiary'));
        // Spelt with double spaces now and then, as real records are.
        const name = cells.recipient_name!.toUpperCase().replace(/\s+/g, ' ');
        expect(p.subsidiaries.some((s) => name.startsWith(s.base.toUpperCase()))).toBe(true);
      }
      if (label.kind === 'parent-name') {
        const p = profile(label.expected[0]!.companyId);
        expect(label.expected).toEqual(ownPairs(p, 'subsidiary'));
        expect(words(cells.recipient_parent_name!)).toContain(p.brand.toUpperCase());
        for (const w of words(cells.recipient_name!)) expect(coined.has(w)).toBe(false);
      }
    }
  });

  it('labels a reseller award with the reseller, and with the brand its description names', () => {
    let branded = 0;
    for (const { label, cells } of rows) {
      if (label.kind !== 'reseller-brand' && label.kind !== 'reseller-plain') continue;
      const reseller = profile(label.expected[0]!.companyId);
      expect(reseller.reseller).toBe(true);
      expect(label.expected[0]).toEqual({ companyId: reseller.id, relation: 'direct' });
      expect(words(cells.recipient_name!)).toContain(reseller.brand.toUpperCase());
      const description = words(cells.prime_award_base_transaction_description!);
      if (label.kind === 'reseller-plain') {
        expect(label.expected).toHaveLength(1);
        for (const w of description) expect(coined.has(w)).toBe(false);
        continue;
      }
      const brand = profile(label.expected[1]!.companyId);
      expect(brand.reseller).toBe(false);
      expect(label.expected.slice(1)).toEqual(ownPairs(brand, 'via-reseller'));
      const terms = [brand.brand, ...brand.products].map((t) => t.toUpperCase());
      expect(description.some((w) => terms.includes(w))).toBe(true);
      branded++;
    }
    expect(branded).toBeGreaterThan(200);
  });
});

describe('writeDataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icewatch-bench-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a CSV the real download parser reads without a row issue, labels first rows included', async () => {
    const path = join(dir, 'ICE_test_Contracts_PrimeAwardSummaries_1.csv');
    const dataset = await writeDataset(registry, path, 3000, 500);
    expect(dataset.rows).toBe(3000);
    expect(dataset.columns).toBe(NARROW_COLUMNS.length);
    expect(dataset.labels).toHaveLength(500);
    const text = await readFile(path, 'utf8');
    expect(text.split('\r\n')[0]).toBe(NARROW_COLUMNS.join(','));

    const parsed = await parseDownloadInputs([{ path, origin: path, retrievedAt: '2025-06-30T00:00:00Z' }]);
    expect(parsed.rowIssues).toEqual([]);
    expect(parsed.records).toHaveLength(3000);
    const byKey = new Map((parsed.records as AwardRecord[]).map((r) => [r.awardKey, r]));
    const source = [...generateAwardRows(registry, { count: 3000 })];
    for (const [i, row] of source.entries()) {
      const record = byKey.get(row.cells.contract_award_unique_key!)!;
      // The parser folds whitespace (toPlainText): "X  LLC" arrives as "X LLC".
      expect(record.recipient.name).toBe(row.cells.recipient_name!.replace(/\s+/g, ' '));
      expect(record.description).toBe(row.cells.prime_award_base_transaction_description);
      expect(record.amounts.obligated).toBe(Number(row.cells.total_obligated_amount));
      expect(record.kind).toBe(row.cells.award_or_idv_flag === 'IDV' ? 'idv' : 'contract');
      if (i < 500) expect(dataset.labels[i]).toEqual({ awardKey: row.cells.contract_award_unique_key, ...row.label });
    }
  });

  it('writes the wide layout with all 286 columns, parsed to the same records as the narrow one', async () => {
    const narrow = await writeDataset(registry, join(dir, 'narrow.csv'), 300, 0, 'narrow');
    const wide = await writeDataset(registry, join(dir, 'wide.csv'), 300, 0, 'wide');
    expect(wide.columns).toBe(286);
    expect(wide.bytes).toBeGreaterThan(narrow.bytes * 4);
    const a = await parseDownloadInputs([{ path: narrow.path, origin: 'n', retrievedAt: '2025-06-30T00:00:00Z' }]);
    const b = await parseDownloadInputs([{ path: wide.path, origin: 'w', retrievedAt: '2025-06-30T00:00:00Z' }]);
    expect(b.rowIssues).toEqual([]);
    expect(b.records).toEqual(a.records);
  });
});

