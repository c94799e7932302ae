/**
 * Seeded synthetic data for the benchmark: a registry of 2,000 companies and award rows for a
 * USAspending Contracts_PrimeAwardSummaries download, shaped like the real recordings.
 *
 * Recipient spellings follow the variant patterns seen in real ICE award data (../shared/fixtures:
 * usaspending downloads, ice-history and ../shared/matching/dev-cases.csv): legal-form spellings
 * ("INC", "INC.", "INCORPORATED", "L.L.C.", "L.P.", "LIMITED PARTNERSHIP"), "THE" moved to the end
 * ("GEO GROUP INC., THE"), names cut at 30 characters ("INTERNATIONAL BUSINESS MACHINE"), trailing codes
 * ("BOOZ ALLEN HAMILTON INCORPORATED (3626)"), DBA names, double spaces ("AKIMA GLOBAL SERVICES  LLC"),
 * resellers whose description names the brand ("Amazon Web Services Public Cloud" on a Four Points
 * award), and near misses that must not match ("EVIGILANT.COM INCORPORATED" is not Vigilant,
 * "CISCO-EAGLE, INC." is not Cisco, "<X> ELEVATOR CO" is not X). Most rows are recipients the registry
 * does not know.
 *
 * Every row knows what it is (its label), so the first rows of a dataset serve as the labelled part for
 * precision and recall. Company brand words are coined from syllables and checked unique, and unknown
 * recipients are built from an ordinary-word vocabulary that no brand word is taken from, so a label is
 * true by construction rather than by what a matcher thinks.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { companySchema, type Company, type CompanyInput } from '../scripts/registry/schema.ts';
import type { Relation } from '../scripts/match/types.ts';
import { PRIME_OPTIONAL_COLUMNS, PRIME_REQUIRED_COLUMNS } from '../scripts/sources/usaspending-download/schema.ts';
import { PRIME_AWARD_LAYOUT } from './download-columns.ts';
import { Rng, Weighted, Zipf, subSeed } from './prng.ts';

export const DEFAULT_SEED = 20_260_301;
export const REGISTRY_SIZE = 2_000;

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** Ordinary words for recipients the registry does not know. No coined brand word may equal one. */
const UNKNOWN_WORDS = [
  'Acme', 'Allied', 'Alpine', 'Anchor', 'Apex', 'Arbor', 'Atlas', 'Aurora', 'Bay', 'Beacon', 'Bell', 'Benton', 'Birch',
  'Blue', 'Bridge', 'Brook', 'Canyon', 'Capital', 'Cardinal', 'Carter', 'Cascade', 'Cedar', 'Central', 'Chapman',
  'Clark', 'Coastal', 'Columbia', 'Crescent', 'Crown', 'Cypress', 'Delta', 'Desert', 'Dixon', 'Eagle', 'East',
  'Elm', 'Empire', 'Evans', 'Falcon', 'Fisher', 'Frontier', 'Garcia', 'Gateway', 'Golden', 'Granite', 'Green',
  'Gulf', 'Hamilton', 'Harbor', 'Harlow', 'Hawk', 'Heritage', 'Highland', 'Hill', 'Horizon', 'Hudson', 'Irving',
  'Jackson', 'Jefferson', 'Keystone', 'King', 'Lake', 'Landmark', 'Laurel', 'Liberty', 'Lincoln', 'Lone', 'Madison',
  'Maple', 'Marshall', 'Meadow', 'Mesa', 'Midwest', 'Miller', 'Mission', 'Monarch', 'Morgan', 'Mountain', 'Nelson',
  'Noble', 'Northern', 'Oak', 'Ocean', 'Olympic', 'Omega', 'Pacific', 'Palmer', 'Park', 'Patriot', 'Peak', 'Pine',
  'Pioneer', 'Pinnacle', 'Prairie', 'Premier', 'Quality', 'Red', 'Reed', 'Regal', 'Ridge', 'Rio', 'River', 'Rock',
  'Royal', 'Sage', 'Santa', 'Shore', 'Sierra', 'Silver', 'Smith', 'Southern', 'Spring', 'Star', 'Sterling', 'Stone',
  'Summit', 'Sun', 'Superior', 'Taylor', 'Texas', 'Thompson', 'Tri', 'Trinity', 'Union', 'Valley', 'Vista', 'Walker',
  'Warren', 'Washington', 'West', 'White', 'Wilson', 'Wood', 'Yellow', 'York', 'Grande', 'Point', 'Lakes', 'Plains',
];

const UNKNOWN_TRADES = [
  'Facility Services', 'Medical Staffing', 'Construction', 'Janitorial', 'Transport', 'Food Services', 'Security Services',
  'Consulting Group', 'Builders', 'Supply', 'Uniforms', 'Laundry', 'Electric', 'Mechanical', 'Healthcare', 'Pharmacy',
  'Translation Services', 'Interpreters', 'Courier', 'Aviation Services', 'Charter', 'Bus Lines', 'Fuel', 'Printing',
  'Office Supply', 'Furniture', 'Environmental', 'Engineering', 'Training', 'Range Services', 'Ammunition', 'Armor',
  'Detention Services', 'Staffing', 'Logistics', 'Telecom', 'Computer Services', 'Data Services', 'Software Services',
];

/** Second words of registry names; some are generic business words on purpose (they are in real names too). */
const INDUSTRY_WORDS = [
  'Technologies', 'Systems', 'Solutions', 'Group', 'Analytics', 'Software', 'Security', 'Logistics', 'Corrections',
  'Aviation', 'Health', 'Data', 'Networks', 'Labs', 'Services', 'Consulting', 'Dynamics', 'Federal', 'Communications',
  'Research', 'Defense', 'Global', 'Intelligence', 'Biometrics', 'Cloud', 'Digital', 'Integrated', 'Information',
];

/** "X Elevator" for registry "X": a different business that borrows the brand word. */
const NEAR_MISS_NOUNS = ['Elevator', 'Hose & Rubber', 'Plumbing', 'Landscaping', 'Bakery', 'Motors', 'Roofing', 'Pest Control', 'Eagle'];

const SUBSIDIARY_SUFFIXES = ['Federal Services', 'USG', 'Government Solutions', 'Special Services', 'Federal Systems', 'Public Sector'];

const RESELLER_SUFFIXES = ['Technology', 'Government Solutions', 'Federal', 'Technology Partners', 'Government'];

const PRODUCT_SUFFIXES = ['SOFTWARE LICENSES', 'ENTERPRISE SUBSCRIPTION', 'SOFTWARE MAINTENANCE RENEWAL', 'CLOUD SERVICES', 'LICENSES AND SUPPORT', 'PLATFORM SUBSCRIPTION'];

const PLAIN_RESELLER_DESCRIPTIONS = [
  'ICE CLOUD HOSTING INFRASTRUCTURE TO SUPPORT ICE/OCIO/SDD',
  'IT HARDWARE REFRESH',
  'SOFTWARE LICENSE RENEWAL',
  'ENTERPRISE LICENSE AGREEMENT TRUE-UP',
  'NETWORK EQUIPMENT AND WARRANTY',
];

const DESCRIPTIONS = [
  'IGF::CT::IGF DETENTION SERVICES',
  'DETENTION SUPPORT SERVICES',
  'IGF::OT::IGF SOFTWARE MAINTENANCE',
  'LAPTOPS AND DOCKING STATIONS',
  'JANITORIAL SERVICES',
  'MEDICAL STAFFING FOR DETENTION FACILITIES',
  'TRANSLATION AND INTERPRETATION SERVICES',
  'AMMUNITION',
  'PROGRAM MANAGEMENT SUPPORT',
  'IT MODERNIZATION',
  'GUARD SERVICES',
  'CHARTER FLIGHTS',
  'SUBSCRIPTION DATA SERVICES',
  'TRAINING RANGE RENTAL',
  'CONTRACT CLOSE OUT',
];

/** NAICS and PSC pairs; the first five are in the technology scope of data/config.yaml. */
const CODES: ReadonlyArray<readonly [naics: string, psc: string]> = [
  ['541512', 'D399'],
  ['541519', '7030'],
  ['334111', '7021'],
  ['518210', 'D305'],
  ['541511', 'DA01'],
  ['561612', 'S206'],
  ['561210', 'R499'],
  ['621111', 'Q201'],
  ['332992', '1305'],
  ['713990', 'X1EA'],
  ['481211', 'V221'],
  ['541611', 'R408'],
];

const OFFICES = ['CDCR', 'MSD', 'TD0', 'MSW', 'FM0', 'PSC'];

// Legal form families: how one entity's designator is spelled across records.
type FormFamily = 'inc' | 'corp' | 'llc' | 'lp' | 'llp' | 'co';
const FORM_REGISTRY: Record<FormFamily, string> = { inc: ', Inc.', corp: ' Corporation', llc: ', LLC', lp: ', L.P.', llp: ' LLP', co: ' Company' };
const FORM_SPELLINGS: Record<FormFamily, readonly string[]> = {
  inc: [' INC', ' INC.', ', INC.', ', INC', ' INCORPORATED', ', INCORPORATED'],
  corp: [' CORP', ' CORP.', ' CORPORATION', ', CORP', ', CORP.'],
  llc: [' LLC', ', LLC', ' L.L.C.', ', L.L.C.', ' LIMITED LIABILITY COMPANY'],
  lp: [' L.P.', ', L.P.', ' LP', ' LIMITED PARTNERSHIP'],
  llp: [' LLP', ', LLP', ' L.L.P.'],
  co: [' CO', ' CO.', ' COMPANY'],
};
const FORM_WEIGHTS: Record<FormFamily, number> = { inc: 40, corp: 20, llc: 28, lp: 4, llp: 3, co: 5 };

// ---------------------------------------------------------------------------------------------
// Registry

export interface NamedEntity {
  /** Name without its legal form, as a curator writes it ("The Quelix Group", "Quelix Technologies"). */
  base: string;
  form: FormFamily;
}

export interface CompanyProfile {
  id: string;
  /** The coined word that identifies the company (unique in the registry). */
  brand: string;
  entity: NamedEntity;
  /** The registry name starts with "The": records move it to the end. */
  theName: boolean;
  strongBrand: boolean;
  weak?: string;
  products: string[];
  subsidiaries: NamedEntity[];
  falseFriends: string[];
  parentId?: string;
  reseller: boolean;
  uei?: string;
  duns?: string;
}

export interface BenchRegistry {
  seed: number;
  companies: Company[];
  profiles: CompanyProfile[];
  byId: Map<string, CompanyProfile>;
}

const CONSONANTS = 'bcdfghklmnprstvz';
const VOWELS = 'aeiou';
const ENDINGS = ['ix', 'on', 'ar', 'is', 'ex', 'a', 'o', 'um', 'yn', 'el', 'ra', 'ant', 'io', 'ent'];

/** Words a coined brand must not be: ordinary vocabulary, legal forms and name-splitting markers. */
const RESERVED = new Set(
  [
    ...UNKNOWN_WORDS,
    ...UNKNOWN_TRADES.flatMap((t) => t.split(' ')),
    ...INDUSTRY_WORDS,
    ...NEAR_MISS_NOUNS.flatMap((t) => t.split(' ')),
    ...SUBSIDIARY_SUFFIXES.flatMap((t) => t.split(' ')),
    ...RESELLER_SUFFIXES.flatMap((t) => t.split(' ')),
    'the', 'and', 'dba', 'aka', 'fka', 'formerly', 'inc', 'corp', 'company', 'limited', 'partnership', 'incorporated',
    'corporation', 'government', 'federal', 'public', 'national', 'america', 'american', 'enterprise', 'enterprises',
  ].map((w) => w.toLowerCase()),
);

function coinWord(rng: Rng): string {
  const syllables = rng.int(2, 3);
  let word = '';
  for (let i = 0; i < syllables; i++) word += rng.pick(CONSONANTS.split('')) + rng.pick(VOWELS.split(''));
  if (rng.chance(0.6)) word += rng.pick(ENDINGS);
  return word[0]!.toUpperCase() + word.slice(1);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function registryLegal(entity: NamedEntity): string {
  return `${entity.base}${FORM_REGISTRY[entity.form]}`;
}

function randomUei(rng: Rng): string {
  // SAM UEIs avoid O and I; the first character is never 0.
  return rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ123456789', 1) + rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 11);
}

function randomDuns(rng: Rng): string {
  return rng.chars('0123456789', 9);
}

function acronym(words: readonly string[]): string {
  return words.map((w) => w[0]!.toUpperCase()).join('');
}

export function generateRegistry(seed = DEFAULT_SEED, size = REGISTRY_SIZE): BenchRegistry {
  const rng = new Rng(subSeed(seed, 'registry'));
  const usedWords = new Set<string>();
  const coin = (): string => {
    for (;;) {
      const word = coinWord(rng);
      const key = word.toLowerCase();
      if (key.length < 5 || key.length > 10 || RESERVED.has(key) || usedWords.has(key)) continue;
      usedWords.add(key);
      return word;
    }
  };
  const usedWeak = new Set<string>();
  const profiles: CompanyProfile[] = [];
  const resellerCount = Math.max(4, Math.round(size * 0.006));

  for (let i = 0; i < size; i++) {
    const reseller = i < resellerCount;
    const brand = coin();
    const theName = !reseller && rng.chance(0.05);
    // Up to three more words; the longer names pass 30 characters, so truncation happens to them.
    const extra: string[] = [];
    if (reseller) extra.push(rng.pick(RESELLER_SUFFIXES));
    else {
      for (let n = Number(rng.weighted({ '0': 10, '1': 50, '2': 28, '3': 12 })); n > 0; n--) {
        extra.push(rng.pick(INDUSTRY_WORDS.filter((w) => !extra.includes(w))));
      }
    }
    const words = [brand, ...extra];
    const base = `${theName ? 'The ' : ''}${words.join(' ')}`;
    const form = FORM_CHOICE.pick(rng);
    const id = slug(words.join(' '));

    let weak: string | undefined;
    if (!reseller && rng.chance(0.25)) {
      const candidate = acronym(words.length >= 3 ? words : [...words, brand.slice(1, 2)]).padEnd(3, 'X').slice(0, 4);
      // An acronym that is also an ordinary word ("OAK") would make an unknown "OAK INC" a registry hit.
      if (!usedWeak.has(candidate) && !RESERVED.has(candidate.toLowerCase())) {
        usedWeak.add(candidate);
        weak = candidate;
      }
    }
    const products = !reseller && rng.chance(0.25) ? Array.from({ length: rng.int(1, 2) }, () => coin()) : [];
    const subsidiaries: NamedEntity[] = [];
    if (!reseller && rng.chance(0.1)) {
      for (let s = rng.int(1, 2); s > 0; s--) {
        // Most units carry the parent's brand (Palantir USG); some have a brand of their own (West Publishing).
        const subBase = rng.chance(0.75) ? `${brand} ${rng.pick(SUBSIDIARY_SUFFIXES)}` : `${coin()} ${rng.pick(INDUSTRY_WORDS)}`;
        if (subsidiaries.some((x) => x.base === subBase) || subBase === base) continue;
        subsidiaries.push({ base: subBase, form: FORM_CHOICE.pick(rng) });
      }
    }
    const falseFriends = !reseller && rng.chance(0.05) ? [`${brand}-${rng.pick(['Eagle', 'Avenue', 'Bay'])}, Inc.`] : [];
    // Children point at an earlier company without a parent, so chains are one level and never cycle.
    let parentId: string | undefined;
    if (!reseller && i > resellerCount + 20 && rng.chance(0.04)) {
      const parent = profiles[rng.int(resellerCount, i - 1)]!;
      if (parent.parentId === undefined) parentId = parent.id;
    }
    profiles.push({
      id,
      brand,
      entity: { base, form },
      theName,
      strongBrand: extra.length > 0 && rng.chance(0.4),
      ...(weak ? { weak } : {}),
      products,
      subsidiaries,
      falseFriends,
      ...(parentId ? { parentId } : {}),
      reseller,
      ...(rng.chance(0.35) ? { uei: randomUei(rng) } : {}),
      ...(rng.chance(0.25) ? { duns: randomDuns(rng) } : {}),
    });
  }

  const source = 'bench: generated';
  const companies = profiles.map((p) => {
    const input: CompanyInput = {
      id: p.id,
      name: p.entity.base,
      aliases: {
        legal: [registryLegal(p.entity)],
        ...(p.strongBrand ? { strong: [p.brand] } : {}),
        ...(p.weak ? { weak: [p.weak] } : {}),
      },
      ...(p.products.length > 0 ? { products: p.products.map((term) => ({ term, specificity: 'high' as const })) } : {}),
      ...(p.falseFriends.length > 0 ? { falseFriends: p.falseFriends } : {}),
      ...(p.uei || p.duns
        ? {
            identifiers: {
              ...(p.uei ? { uei: [{ value: p.uei, source }] } : {}),
              ...(p.duns ? { duns: [{ value: p.duns, source }] } : {}),
            },
          }
        : {}),
      ...(p.parentId ? { parent: p.parentId } : {}),
      ...(p.subsidiaries.length > 0 ? { subsidiaries: p.subsidiaries.map((s) => ({ name: registryLegal(s), aliases: [s.base] })) } : {}),
      roles: p.reseller ? ['reseller'] : ['vendor'],
    };
    return companySchema.parse(input);
  });
  return { seed, companies, profiles, byId: new Map(profiles.map((p) => [p.id, p])) };
}

// ---------------------------------------------------------------------------------------------
// Award rows

export type RowKind =
  | 'unknown'
  | 'legal-spelling'
  | 'the-placement'
  | 'truncated'
  | 'dba'
  | 'code-suffix'
  | 'misspelt'
  | 'uei'
  | 'subsidiary'
  | 'parent-name'
  | 'reseller-brand'
  | 'reseller-plain'
  | 'weak-acronym'
  | 'near-miss-prefix'
  | 'near-miss-noun'
  | 'false-friend';

/** Share of rows per kind: most recipients are not in the registry. */
export const ROW_MIX: Readonly<Record<RowKind, number>> = {
  unknown: 73.8,
  'legal-spelling': 10,
  'the-placement': 1,
  truncated: 1.5,
  dba: 0.5,
  'code-suffix': 0.5,
  misspelt: 0.5,
  uei: 3,
  subsidiary: 2.5,
  'parent-name': 1,
  'reseller-brand': 2.5,
  'reseller-plain': 1,
  'weak-acronym': 0.2,
  'near-miss-prefix': 0.7,
  'near-miss-noun': 0.8,
  'false-friend': 0.5,
};

export interface ExpectedPair {
  companyId: string;
  relation: Relation;
}

export interface RowLabel {
  kind: RowKind;
  /** Every (company, relation) a correct matcher reports at proposal confidence; empty for "no company". */
  expected: ExpectedPair[];
}

/** What the benchmark keeps of a labelled row: its award key and label. */
export interface LabelledRow extends RowLabel {
  awardKey: string;
}

export interface AwardRow {
  /** Cells by column name (only the columns the parser reads; the wide layout adds filler). */
  cells: Record<string, string>;
  label: RowLabel;
}

export interface AwardOptions {
  seed?: number;
  count: number;
}

interface UnknownRecipient {
  name: string;
  uei?: string;
  parentName?: string;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2007, 9, 1);
const LAST_DAY = Date.UTC(2025, 8, 30);

// Every day an award date can fall on, formatted once: Date#toISOString per cell was the generator's top cost.
const DAY_STRINGS: string[] = [];
for (let ms = FIRST_DAY; ms <= Date.UTC(2032, 0, 1); ms += DAY_MS) DAY_STRINGS.push(new Date(ms).toISOString().slice(0, 10));

function isoDay(ms: number): string {
  return DAY_STRINGS[Math.round((ms - FIRST_DAY) / DAY_MS)] ?? new Date(ms).toISOString().slice(0, 10);
}

const FORM_CHOICE = new Weighted(FORM_WEIGHTS);

function spellForm(rng: Rng, form: FormFamily): string {
  return rng.pick(FORM_SPELLINGS[form]);
}

function upperCase(rng: Rng, name: string): string {
  // USAspending writes recipient names in capitals; a few sources keep the registered case.
  return rng.chance(0.9) ? name.toUpperCase() : name;
}

/** "The Quelix Group" spelled as records do: "QUELIX GROUP INC., THE", "THE QUELIX GROUP INCORPORATED" … */
function spellEntity(rng: Rng, entity: NamedEntity, theStyle: 'keep' | 'move' = 'keep'): string {
  const form = rng.chance(0.03) ? '' : spellForm(rng, entity.form);
  let name: string;
  if (entity.base.startsWith('The ') && theStyle === 'move') {
    const rest = entity.base.slice(4);
    const style = rng.int(0, 2);
    const trimmed = form.replace(/^,/, '');
    name = style === 0 ? `${rest}${trimmed}, THE` : style === 1 ? `${rest},${trimmed}, THE` : `${rest}${trimmed} THE`;
  } else {
    name = `${entity.base}${form}`;
  }
  // Double spaces survive in real records ("AKIMA GLOBAL SERVICES  LLC").
  if (rng.chance(0.03)) name = name.replace(/ (?=\S+$)/, '  ');
  return upperCase(rng, name);
}

function misspell(rng: Rng, word: string): string {
  const i = rng.int(2, word.length - 2);
  const kind = rng.int(0, 2);
  if (kind === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (kind === 1) return word.slice(0, i) + word[i] + word.slice(i);
  return word.slice(0, i) + word.slice(i + 1);
}

/** Heaps' law: distinct recipients grow like n^0.6 (≈ 15k recipients for ICE's ~150k awards). */
export function unknownPoolSize(count: number): number {
  return Math.max(200, Math.round(12 * Math.pow(count, 0.6)));
}

function makeUnknownPool(rng: Rng, size: number): UnknownRecipient[] {
  const seen = new Set<string>();
  const pool: UnknownRecipient[] = [];
  while (pool.length < size) {
    const words = rng.chance(0.4) ? `${rng.pick(UNKNOWN_WORDS)} ${rng.pick(UNKNOWN_WORDS)}` : rng.pick(UNKNOWN_WORDS);
    const trade = rng.chance(0.85) ? ` ${rng.pick(UNKNOWN_TRADES)}` : '';
    const form = spellForm(rng, FORM_CHOICE.pick(rng));
    const name = `${words}${trade}${form}`.toUpperCase();
    if (seen.has(name)) {
      // The vocabulary runs out of short combinations: number the rest like franchise units.
      const numbered = `${words}${trade} ${pool.length}${form}`.toUpperCase();
      if (seen.has(numbered)) continue;
      seen.add(numbered);
      pool.push({ name: numbered, ...(rng.chance(0.7) ? { uei: randomUei(rng) } : {}) });
      continue;
    }
    seen.add(name);
    pool.push({ name, ...(rng.chance(0.7) ? { uei: randomUei(rng) } : {}) });
  }
  for (const entry of pool) {
    if (rng.chance(0.55)) entry.parentName = entry.name;
    else if (rng.chance(0.3)) entry.parentName = rng.pick(pool).name;
  }
  return pool;
}

/** Expected pairs for a match to `companyId` with `relation`, plus the same via each registry ancestor. */
function withAncestors(registry: BenchRegistry, companyId: string, relation: Relation): ExpectedPair[] {
  const pairs: ExpectedPair[] = [{ companyId, relation }];
  let parent = registry.byId.get(companyId)?.parentId;
  while (parent !== undefined) {
    pairs.push({ companyId: parent, relation: relation === 'via-reseller' ? 'via-reseller' : 'subsidiary' });
    parent = registry.byId.get(parent)?.parentId;
  }
  return pairs;
}

class Picker {
  private readonly zipf: Zipf;
  constructor(private readonly items: readonly CompanyProfile[]) {
    if (items.length === 0) throw new Error('no company is eligible for this row kind');
    this.zipf = new Zipf(items.length, 1.05);
  }
  pick(rng: Rng): CompanyProfile {
    return this.items[this.zipf.sample(rng)]!;
  }
}

/**
 * Award rows, one at a time (a million rows never sit in memory). The same seed and count give the same
 * rows; rows do not depend on the layout they are written in.
 */
export function* generateAwardRows(registry: BenchRegistry, options: AwardOptions): Generator<AwardRow> {
  const seed = options.seed ?? registry.seed;
  const rng = new Rng(subSeed(seed, `awards:${options.count}`));
  const pool = makeUnknownPool(new Rng(subSeed(seed, `pool:${options.count}`)), unknownPoolSize(options.count));
  const poolZipf = new Zipf(pool.length, 0.9);
  const vendors = registry.profiles.filter((p) => !p.reseller);
  // Names whose every spelling passes 30 characters, so a cut always cuts something.
  const longNamed = vendors.filter((p) => p.entity.base.length + Math.min(...FORM_SPELLINGS[p.entity.form].map((f) => f.length)) > 30);
  const pickers = {
    vendor: new Picker(vendors),
    the: new Picker(vendors.filter((p) => p.theName)),
    long: new Picker(longNamed),
    uei: new Picker(registry.profiles.filter((p) => p.uei)),
    subsidiary: new Picker(vendors.filter((p) => p.subsidiaries.length > 0)),
    reseller: new Picker(registry.profiles.filter((p) => p.reseller)),
    weak: new Picker(vendors.filter((p) => p.weak)),
    friend: new Picker(vendors.filter((p) => p.falseFriends.length > 0)),
    brand: new Picker(vendors.filter((p) => p.products.length > 0 || p.strongBrand)),
  };

  const mix = new Weighted(ROW_MIX);
  for (let index = 0; index < options.count; index++) {
    const kind = mix.pick(rng);
    let name: string;
    let uei: string | undefined;
    let parentName: string | undefined;
    let parentUei: string | undefined;
    let description = rng.pick(DESCRIPTIONS);
    let expected: ExpectedPair[] = [];
    // Registry companies' own records often name the company itself as the parent.
    const selfParent = (p: CompanyProfile) => {
      if (!rng.chance(0.5)) return undefined;
      const parent = p.parentId ? registry.byId.get(p.parentId)! : p;
      return spellEntity(rng, parent.entity, 'move');
    };

    switch (kind) {
      case 'unknown': {
        const r = pool[poolZipf.sample(rng)]!;
        name = r.name;
        uei = r.uei;
        parentName = r.parentName;
        break;
      }
      case 'legal-spelling': {
        const p = pickers.vendor.pick(rng);
        name = p.strongBrand && rng.chance(0.15) ? upperCase(rng, p.brand) : spellEntity(rng, p.entity, 'keep');
        parentName = selfParent(p);
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'the-placement': {
        const p = pickers.the.pick(rng);
        name = spellEntity(rng, p.entity, 'move');
        parentName = selfParent(p);
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'truncated': {
        const p = pickers.long.pick(rng);
        // FPDS and older USAspending data keep 30 characters; the trailing space of a cut is trimmed.
        const full = `${p.entity.base}${spellForm(rng, p.entity.form)}`.toUpperCase();
        name = full.slice(0, 30).trimEnd();
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'dba': {
        const p = pickers.vendor.pick(rng);
        const owner = `${rng.pick(UNKNOWN_WORDS)} ${rng.pick(['Enterprises', 'Holdings', 'Ventures'])}${spellForm(rng, 'inc')}`.toUpperCase();
        const own = spellEntity(rng, p.entity, 'keep');
        const marker = rng.pick([' DBA ', ' D/B/A ', ' DOING BUSINESS AS ']);
        name = rng.chance(0.7) ? `${owner}${marker}${own}` : `${own}${marker}${rng.pick(UNKNOWN_WORDS).toUpperCase()} ${rng.pick(UNKNOWN_TRADES).toUpperCase()}`;
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'code-suffix': {
        const p = pickers.vendor.pick(rng);
        name = `${spellEntity(rng, p.entity, 'keep')} (${rng.int(1000, 9999)})`;
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'misspelt': {
        // A slip of one letter in the brand: the truth is the company; a careful matcher sends it to review.
        const p = pickers.vendor.pick(rng);
        name = spellEntity(rng, { ...p.entity, base: p.entity.base.replace(p.brand, misspell(rng, p.brand)) }, 'keep');
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'uei': {
        const p = pickers.uei.pick(rng);
        name = spellEntity(rng, p.entity, 'move');
        uei = p.uei;
        parentName = selfParent(p);
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'subsidiary': {
        const p = pickers.subsidiary.pick(rng);
        const sub = rng.pick(p.subsidiaries);
        name = spellEntity(rng, sub, 'keep');
        parentName = rng.chance(0.5) ? spellEntity(rng, p.entity, 'move') : undefined;
        expected = withAncestors(registry, p.id, 'subsidiary');
        break;
      }
      case 'parent-name': {
        // A unit the registry does not list, whose record names a registry company as its parent (Akima → NANA).
        const p = pickers.vendor.pick(rng);
        name = `${rng.pick(UNKNOWN_WORDS)} ${rng.pick(UNKNOWN_TRADES)}${spellForm(rng, 'llc')}`.toUpperCase();
        parentName = spellEntity(rng, p.entity, 'move');
        if (p.uei && rng.chance(0.3)) parentUei = p.uei;
        uei = randomUei(rng);
        expected = withAncestors(registry, p.id, 'subsidiary');
        break;
      }
      case 'reseller-brand': {
        const r = pickers.reseller.pick(rng);
        const b = pickers.brand.pick(rng);
        const term = b.products.length > 0 && rng.chance(0.6) ? rng.pick(b.products) : b.strongBrand && rng.chance(0.5) ? b.brand : b.entity.base.replace(/^The /, '');
        name = spellEntity(rng, r.entity, 'keep');
        parentName = rng.chance(0.5) ? name : undefined;
        description = `${term.toUpperCase()} ${rng.pick(PRODUCT_SUFFIXES)}`;
        expected = [...withAncestors(registry, r.id, 'direct'), ...withAncestors(registry, b.id, 'via-reseller')];
        break;
      }
      case 'reseller-plain': {
        const r = pickers.reseller.pick(rng);
        name = spellEntity(rng, r.entity, 'keep');
        description = rng.pick(PLAIN_RESELLER_DESCRIPTIONS);
        expected = withAncestors(registry, r.id, 'direct');
        break;
      }
      case 'weak-acronym': {
        const p = pickers.weak.pick(rng);
        name = `${p.weak!}${spellForm(rng, p.entity.form)}`.toUpperCase();
        expected = withAncestors(registry, p.id, 'direct');
        break;
      }
      case 'near-miss-prefix': {
        // eVigilant.com is not Vigilant: a letter glued to the brand makes another word.
        const p = pickers.vendor.pick(rng);
        const glued = `${rng.pick(['e', 'i', 'my'])}${p.brand}`;
        name = rng.chance(0.5) ? `${glued}.com Incorporated`.toUpperCase() : `${glued} ${rng.pick(INDUSTRY_WORDS)}${spellForm(rng, 'llc')}`.toUpperCase();
        break;
      }
      case 'near-miss-noun': {
        const p = pickers.vendor.pick(rng);
        const noun = rng.pick(NEAR_MISS_NOUNS);
        name = `${p.brand}${noun === 'Eagle' ? '-' : ' '}${noun}${spellForm(rng, FORM_CHOICE.pick(rng))}`.toUpperCase();
        break;
      }
      case 'false-friend': {
        const p = pickers.friend.pick(rng);
        name = rng.pick(p.falseFriends).toUpperCase();
        break;
      }
    }
    if (uei === undefined && kind !== 'unknown' && rng.chance(0.3)) uei = randomUei(rng);
    yield { cells: awardCells(rng, index, { name, uei, parentName, parentUei, description }), label: { kind, expected } };
  }
}

interface RecipientCells {
  name: string;
  uei: string | undefined;
  parentName: string | undefined;
  parentUei: string | undefined;
  description: string;
}

function amount(rng: Rng): string {
  // Award sizes span purchase cards to detention contracts: log-uniform from $100 to $100M.
  return (10 ** (2 + rng.float() * 6)).toFixed(2);
}

function awardCells(rng: Rng, index: number, r: RecipientCells): Record<string, string> {
  const idv = rng.chance(0.12);
  const start = FIRST_DAY + rng.int(0, Math.floor((LAST_DAY - FIRST_DAY) / DAY_MS)) * DAY_MS;
  const end = start + rng.int(30, 1_800) * DAY_MS;
  const modified = Math.min(end + rng.int(0, 400) * DAY_MS, Date.UTC(2025, 10, 1));
  const fiscal = new Date(start).getUTCFullYear() + (new Date(start).getUTCMonth() >= 9 ? 1 : 0);
  const fy = String(fiscal % 100).padStart(2, '0');
  const office = rng.pick(OFFICES);
  const seq = String(index).padStart(7, '0');
  const typeLetter = idv ? 'D' : rng.pick(['P', 'F', 'C', 'J']);
  const piid = fiscal >= 2018 ? `70C${office}${fy}${typeLetter}${seq}` : `HSCE${office}${fy}${typeLetter}${seq}`;
  const delivery = !idv && (typeLetter === 'F' || typeLetter === 'J');
  const parentPiid = delivery ? `${fiscal >= 2018 ? '70C' : 'HSCE'}${office}${fy}D${String(index % 5_000).padStart(7, '0')}` : '';
  const key = idv ? `CONT_IDV_${piid}_7012` : `CONT_AWD_${piid}_7012_${parentPiid || '-NONE-'}_${parentPiid ? '7012' : '-NONE-'}`;
  const [naics, psc] = rng.pick(CODES);
  const obligated = amount(rng);
  const potential = (Number(obligated) * (1 + rng.float() * 2)).toFixed(2);
  return {
    contract_award_unique_key: key,
    award_id_piid: piid,
    parent_award_id_piid: parentPiid,
    total_obligated_amount: obligated,
    total_outlayed_amount: rng.chance(0.4) ? (Number(obligated) * rng.float()).toFixed(2) : '',
    current_total_value_of_award: obligated,
    potential_total_value_of_award: potential,
    period_of_performance_start_date: isoDay(start),
    period_of_performance_current_end_date: isoDay(end),
    ordering_period_end_date: idv ? isoDay(end) : '',
    awarding_agency_name: 'Department of Homeland Security',
    awarding_sub_agency_code: '7012',
    awarding_sub_agency_name: 'U.S. Immigration and Customs Enforcement',
    recipient_uei: r.uei ?? '',
    recipient_duns: '',
    recipient_name: r.name,
    recipient_name_raw: r.name,
    recipient_parent_uei: r.parentUei ?? '',
    recipient_parent_duns: '',
    recipient_parent_name: r.parentName ?? '',
    award_or_idv_flag: idv ? 'IDV' : 'AWARD',
    award_type: idv ? '' : delivery ? 'DELIVERY ORDER' : rng.pick(['PURCHASE ORDER', 'DEFINITIVE CONTRACT']),
    idv_type: idv ? rng.pick(['IDC', 'BPA', 'FSS']) : '',
    prime_award_base_transaction_description: r.description,
    product_or_service_code: psc!,
    naics_code: naics!,
    last_modified_date: isoDay(modified),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

export type Layout = 'narrow' | 'wide';

/** The columns the download parser reads, in the real file's order. */
export const NARROW_COLUMNS: readonly string[] = PRIME_AWARD_LAYOUT.map(([c]) => c).filter(
  (c) => (PRIME_REQUIRED_COLUMNS as readonly string[]).includes(c) || (PRIME_OPTIONAL_COLUMNS as readonly string[]).includes(c),
);

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Filler for the columns the parser ignores, shaped like a real row's (flags, codes, text, dates). */
function fillerRow(): string[] {
  const rng = new Rng(7);
  return PRIME_AWARD_LAYOUT.map(([column, kind]) => {
    if (kind === 'b') return 'f';
    if (kind === 'c') return rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 1 + (column.length % 5));
    if (kind === 'd') return '2020-05-07';
    if (kind === 'n') return '0.00';
    if (kind === 'u') return 'https://www.usaspending.gov/award/CONT_AWD_70CDCR20P00000053_7012_-NONE-_-NONE-/';
    if (kind.startsWith('t')) return 'X'.repeat(Number(kind.slice(1))).replace(/X{6}/g, 'WORDS ').trimEnd();
    return '';
  });
}

export interface WrittenCsv {
  path: string;
  rows: number;
  bytes: number;
  columns: number;
}

/** Writes rows as a Contracts_PrimeAwardSummaries CSV (CRLF, like the real download), with backpressure. */
export async function writeDownloadCsv(path: string, rows: Iterable<AwardRow>, layout: Layout = 'narrow', onRow?: (row: AwardRow, index: number) => void): Promise<WrittenCsv> {
  const columns = layout === 'wide' ? PRIME_AWARD_LAYOUT.map(([c]) => c) : NARROW_COLUMNS;
  const filler = layout === 'wide' ? fillerRow() : [];
  const out = createWriteStream(path);
  let bytes = 0;
  let count = 0;
  let chunk = `${columns.join(',')}\r\n`;
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (const row of rows) {
    onRow?.(row, count);
    const cells = columns.map((column, i) => {
      const value = row.cells[column];
      return value === undefined ? (filler[i] ?? '') : csvCell(value);
    });
    chunk += `${cells.join(',')}\r\n`;
    count++;
    if (chunk.length > 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'close');
  return { path, rows: count, bytes, columns: columns.length };
}

export interface Dataset extends WrittenCsv {
  labels: LabelledRow[];
}

/** The CSV for `count` rows, and the labels of its first `labelled` rows (the labelled part). */
export async function writeDataset(registry: BenchRegistry, path: string, count: number, labelled: number, layout: Layout = 'narrow', seed?: number): Promise<Dataset> {
  const labels: LabelledRow[] = [];
  const written = await writeDownloadCsv(path, generateAwardRows(registry, { count, ...(seed === undefined ? {} : { seed }) }), layout, (row, index) => {
    if (index < labelled) labels.push({ awardKey: row.cells.contract_award_unique_key!, ...row.label });
  });
  return { ...written, labels };
}
