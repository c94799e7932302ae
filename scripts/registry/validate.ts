/**
 * Named rules over a parsed registry. Each rule has one severity, so errors and warnings never mix
 * under the same name, and every finding points at the line of the offending node.
 *
 * Structural problems (YAML syntax, unknown keys, missing fields, non-https links, impossible dates)
 * come from load.ts; these rules see only what parsed, plus the ids of files that did not, so one
 * broken file does not cascade into "parent names no company" everywhere else.
 */
import type { RegistryProblem } from '../util/errors.ts';
import { describeRange, identifierRange, intersect, isDated, overlaps, rangeOf, type DateRange } from './ownership.ts';
import type { Company, DismissedEntry, Identifier } from './schema.ts';
import { ownershipRules } from './validate-dates.ts';
import { compareText } from '../util/text-key.ts';

export type PathSegment = string | number;

/** One company file as the loader saw it. */
export interface CompanyFile {
  /** The path shown in problems. */
  file: string;
  /** File name without `.yaml`: what `id` must equal. */
  fileId: string;
  /** `id` as written, even when the file failed the schema (undefined when it is not a string). */
  declaredId: string | undefined;
  /** Undefined when the YAML or the schema rejected the file. */
  company: Company | undefined;
  /** 1-based line of the node at `path` (or of its nearest existing ancestor). */
  lineOf(path: readonly PathSegment[]): number;
}

export interface DismissedFile {
  file: string;
  entries: DismissedEntry[];
  lineOf(path: readonly PathSegment[]): number;
}

export interface ValidationLimits {
  /** Names per company (aliases, subsidiary names and aliases, false friends): bounds the match index. */
  maxNamesPerCompany: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = { maxNamesPerCompany: 200 };

export interface RuleContext {
  files: readonly CompanyFile[];
  dismissed: DismissedFile | undefined;
  limits: ValidationLimits;
}

export interface Finding {
  file: string;
  line: number;
  message: string;
}

export interface RegistryRule {
  name: string;
  severity: 'error' | 'warning';
  description: string;
  check(ctx: RuleContext): Iterable<Finding>;
}

type ParsedFile = CompanyFile & { company: Company };

function parsedFiles(ctx: RuleContext): ParsedFile[] {
  return ctx.files.filter((f): f is ParsedFile => f.company !== undefined);
}

function at(file: CompanyFile | DismissedFile, path: readonly PathSegment[], message: string): Finding {
  return { file: file.file, line: file.lineOf(path), message };
}

function where(file: CompanyFile, path: readonly PathSegment[]): string {
  return `${file.file}:${file.lineOf(path)}`;
}

// ---------------------------------------------------------------------------------------------
// Names. A deliberately small normalizer: the matcher has the real one (legal-forms table,
// transliteration); this one only has to make "Palantir Technologies, Inc." and
// "PALANTIR TECHNOLOGIES INC" collide so that two files cannot claim the same name.

const LEGAL_FORMS = new Set([
  'inc', 'incorporated', 'llc', 'lc', 'llp', 'lllp', 'lp', 'pllc', 'pc', 'plc', 'ltd', 'limited',
  'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'sa', 'nv', 'bv', 'srl', 'sarl', 'pty',
]);

export function normalizeNameForComparison(name: string): string {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    // Dots and apostrophes join ("L.L.C." → "llc", "Macy's" → "macys"); other punctuation splits.
    .replace(/[.'’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  while (tokens.length > 1 && LEGAL_FORMS.has(tokens[tokens.length - 1]!)) tokens.pop();
  if (tokens.length > 1 && tokens[0] === 'the') tokens.shift();
  return tokens.join(' ');
}

type NameKind = 'name' | 'legal' | 'strong' | 'weak' | 'subsidiary';

interface NameEntry {
  file: ParsedFile;
  path: PathSegment[];
  value: string;
  kind: NameKind;
  /** When the company owns the name (a unit's since/until); empty for its own names. */
  range: DateRange;
}

/** Every name a company claims, in file order. */
function companyNames(file: ParsedFile): NameEntry[] {
  const c = file.company;
  const exists = rangeOf(c);
  const out: NameEntry[] = [{ file, path: ['name'], value: c.name, kind: 'name', range: exists }];
  for (const kind of ['legal', 'strong', 'weak'] as const) {
    (c.aliases?.[kind] ?? []).forEach((value, i) => out.push({ file, path: ['aliases', kind, i], value, kind, range: exists }));
  }
  (c.subsidiaries ?? []).forEach((sub, i) => {
    const range = intersect(rangeOf(sub), exists);
    out.push({ file, path: ['subsidiaries', i, 'name'], value: sub.name, kind: 'subsidiary', range });
    (sub.aliases ?? []).forEach((value, j) =>
      out.push({ file, path: ['subsidiaries', i, 'aliases', j], value, kind: 'subsidiary', range }),
    );
  });
  return out;
}

const IDENTIFIER_KINDS = ['uei', 'duns', 'cage'] as const;
type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

interface IdentifierEntry {
  file: ParsedFile;
  path: PathSegment[];
  kind: IdentifierKind;
  identifier: Identifier;
  viaSubsidiary: boolean;
  /** When the identifier is the company's: its own range within its unit's ownership range. */
  range: DateRange;
}

function companyIdentifiers(file: ParsedFile): IdentifierEntry[] {
  const out: IdentifierEntry[] = [];
  const push = (ids: Company['identifiers'], base: PathSegment[], viaSubsidiary: boolean, owned: DateRange): void => {
    for (const kind of IDENTIFIER_KINDS) {
      (ids?.[kind] ?? []).forEach((identifier, i) =>
        out.push({ file, path: [...base, kind, i], kind, identifier, viaSubsidiary, range: intersect(identifierRange(identifier), owned) }),
      );
    }
  };
  const exists = rangeOf(file.company);
  push(file.company.identifiers, ['identifiers'], false, exists);
  (file.company.subsidiaries ?? []).forEach((sub, i) =>
    push(sub.identifiers, ['subsidiaries', i, 'identifiers'], true, intersect(rangeOf(sub), exists)),
  );
  return out;
}

/** Ancestors of `id` through `parent` links (stops at cycles and unknown ids). */
function ancestors(id: string, byId: ReadonlyMap<string, Company>): Set<string> {
  const seen = new Set<string>();
  let current = byId.get(id)?.parent;
  while (current !== undefined && !seen.has(current) && current !== id) {
    seen.add(current);
    current = byId.get(current)?.parent;
  }
  return seen;
}

function firstById(files: readonly ParsedFile[]): Map<string, Company> {
  const byId = new Map<string, Company>();
  for (const f of files) if (!byId.has(f.company.id)) byId.set(f.company.id, f.company);
  return byId;
}

/**
 * A unit listed under `subsidiaries` of A may also be a company of its own whose parent chain leads
 * to A (GitHub under Microsoft): sharing that unit's names or identifiers is the documented shape,
 * not a conflict.
 */
function isListedUnit(
  owner: { file: ParsedFile; viaSubsidiary: boolean },
  other: { file: ParsedFile },
  byId: ReadonlyMap<string, Company>,
): boolean {
  return owner.viaSubsidiary && ancestors(other.file.company.id, byId).has(owner.file.company.id);
}

function sharedAllowed(
  a: { file: ParsedFile; viaSubsidiary: boolean },
  b: { file: ParsedFile; viaSubsidiary: boolean },
  byId: ReadonlyMap<string, Company>,
): boolean {
  return isListedUnit(a, b, byId) || isListedUnit(b, a, byId);
}

/** A unit owned by one company and then another: both list it, with dates that never overlap. */
function successiveOwners(a: { range: DateRange }, b: { range: DateRange }): boolean {
  return isDated(a.range) && isDated(b.range) && !overlaps(a.range, b.range);
}

function overlapNote(a: { range: DateRange }, b: { range: DateRange }): string {
  return isDated(a.range) && isDated(b.range)
    ? ` (owned ${describeRange(b.range)} there and ${describeRange(a.range)} here: the ranges overlap)`
    : isDated(a.range) || isDated(b.range)
      ? ' (successive owners both need dates: since/until that do not overlap)'
      : '';
}

// ---------------------------------------------------------------------------------------------
// Identifier formats. UEI: GSA's standard (gsa.gov "Unique Entity ID Technical Specifications"):
// 12 characters, letters and digits, first character not 0, and the letters O and I never used.

export function ueiFormatProblem(value: string): string | undefined {
  if (value.length !== 12) return `has ${value.length} characters, a UEI has 12`;
  if (!/^[A-Za-z0-9]+$/.test(value)) return 'may contain only letters A–Z and digits 0–9';
  if (/[a-z]/.test(value)) return 'must be written in upper case';
  if (value.startsWith('0')) return 'cannot start with 0';
  if (/[OI]/.test(value)) return 'cannot contain the letters O or I (SAM never issues them; 0 or 1 was probably meant)';
  return undefined;
}

export function dunsFormatProblem(value: string): string | undefined {
  return /^\d{9}$/.test(value) ? undefined : 'a DUNS number is exactly 9 digits';
}

export function cageFormatProblem(value: string): string | undefined {
  return /^[A-Z0-9]{5}$/.test(value) ? undefined : 'a CAGE code is exactly 5 characters, A–Z and 0–9';
}

function formatRule(kind: IdentifierKind, label: string, check: (value: string) => string | undefined): RegistryRule {
  return {
    name: `${kind}-format`,
    severity: 'error',
    description: `${label} values have the official shape`,
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        for (const entry of companyIdentifiers(file)) {
          if (entry.kind !== kind) continue;
          const problem = check(entry.identifier.value);
          if (problem) yield at(file, [...entry.path, 'value'], `${label} "${entry.identifier.value}" ${problem}`);
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

export const registryRules: readonly RegistryRule[] = [
  {
    name: 'id-file-name',
    severity: 'error',
    description: 'a company file is named <id>.yaml',
    *check(ctx) {
      for (const file of ctx.files) {
        if (file.declaredId !== undefined && file.declaredId !== file.fileId) {
          yield at(file, ['id'], `id "${file.declaredId}" does not match the file name (expected "${file.fileId}")`);
        }
      }
    },
  },
  {
    name: 'duplicate-id',
    severity: 'error',
    description: 'no two company files declare the same id',
    *check(ctx) {
      const first = new Map<string, CompanyFile>();
      for (const file of ctx.files) {
        if (file.declaredId === undefined) continue;
        const earlier = first.get(file.declaredId);
        if (earlier) yield at(file, ['id'], `id "${file.declaredId}" is already used by ${where(earlier, ['id'])}`);
        else first.set(file.declaredId, file);
      }
    },
  },
  formatRule('uei', 'UEI', ueiFormatProblem),
  formatRule('duns', 'DUNS', dunsFormatProblem),
  formatRule('cage', 'CAGE code', cageFormatProblem),
  {
    name: 'parent-unknown',
    severity: 'error',
    description: '`parent` names a company in the registry',
    *check(ctx) {
      // Files that failed to parse still count as existing: their own problems say what is wrong.
      const known = new Set<string>();
      for (const f of ctx.files) {
        known.add(f.fileId);
        if (f.declaredId !== undefined) known.add(f.declaredId);
      }
      for (const file of parsedFiles(ctx)) {
        const parent = file.company.parent;
        if (parent !== undefined && !known.has(parent)) {
          yield at(file, ['parent'], `parent "${parent}" names no company (no ${parent}.yaml in the registry)`);
        }
      }
    },
  },
  {
    name: 'parent-cycle',
    severity: 'error',
    description: 'parent links never loop',
    *check(ctx) {
      const files = parsedFiles(ctx);
      const byId = firstById(files);
      const fileById = new Map<string, ParsedFile>();
      for (const f of files) if (!fileById.has(f.company.id)) fileById.set(f.company.id, f);
      const reported = new Set<string>();
      for (const start of [...byId.keys()].sort()) {
        const chain: string[] = [];
        const position = new Map<string, number>();
        let current: string | undefined = start;
        while (current !== undefined && byId.has(current) && !position.has(current)) {
          position.set(current, chain.length);
          chain.push(current);
          current = byId.get(current)!.parent;
        }
        if (current === undefined || !position.has(current)) continue;
        const cycle = chain.slice(position.get(current));
        const key = [...cycle].sort().join(' ');
        if (reported.has(key)) continue;
        reported.add(key);
        // Report once per loop, at the member that sorts first, so the output is stable.
        const anchor = [...cycle].sort()[0]!;
        const i = cycle.indexOf(anchor);
        const loop = [...cycle.slice(i), ...cycle.slice(0, i), anchor];
        yield at(fileById.get(anchor)!, ['parent'], `parent links form a cycle: ${loop.join(' → ')}`);
      }
    },
  },
  {
    name: 'duplicate-alias',
    severity: 'error',
    description: 'no name or alias (after normalization) belongs to two companies',
    *check(ctx) {
      const files = parsedFiles(ctx);
      const byId = firstById(files);
      const byKey = new Map<string, NameEntry[]>();
      for (const file of files) {
        for (const entry of companyNames(file)) {
          const key = normalizeNameForComparison(entry.value);
          if (key === '') continue;
          const list = byKey.get(key);
          if (list) list.push(entry);
          else byKey.set(key, [entry]);
        }
      }
      const out: Finding[] = [];
      for (const [key, entries] of byKey) {
        entries.forEach((entry, i) => {
          const clash = entries
            .slice(0, i)
            .find(
              (e) =>
                e.file !== entry.file &&
                e.file.company.id !== entry.file.company.id &&
                !successiveOwners(e, entry) &&
                !sharedAllowed(
                  { file: e.file, viaSubsidiary: e.kind === 'subsidiary' },
                  { file: entry.file, viaSubsidiary: entry.kind === 'subsidiary' },
                  byId,
                ),
            );
          if (clash) {
            out.push(
              at(
                entry.file,
                entry.path,
                `"${entry.value}" (normalized "${key}") is also claimed by company "${clash.file.company.id}" at ${where(clash.file, clash.path)}${overlapNote(entry, clash)}`,
              ),
            );
          }
        });
      }
      yield* out;
    },
  },
  {
    name: 'alias-empty',
    severity: 'error',
    description: 'every name keeps some letters or digits after normalization',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        for (const entry of companyNames(file)) {
          if (normalizeNameForComparison(entry.value) === '') {
            yield at(file, entry.path, `"${entry.value}" has no letters or digits, so it could match nothing or anything`);
          }
        }
      }
    },
  },
  {
    name: 'duplicate-identifier',
    severity: 'error',
    description: 'no UEI, DUNS or CAGE code belongs to two companies',
    *check(ctx) {
      const files = parsedFiles(ctx);
      const byId = firstById(files);
      const byKey = new Map<string, IdentifierEntry[]>();
      for (const file of files) {
        for (const entry of companyIdentifiers(file)) {
          const key = `${entry.kind}:${entry.identifier.value.trim().toUpperCase()}`;
          const list = byKey.get(key);
          if (list) list.push(entry);
          else byKey.set(key, [entry]);
        }
      }
      const out: Finding[] = [];
      for (const entries of byKey.values()) {
        entries.forEach((entry, i) => {
          const clash = entries
            .slice(0, i)
            .find(
              (e) =>
                e.file.company.id !== entry.file.company.id &&
                e.file !== entry.file &&
                !successiveOwners(e, entry) &&
                !sharedAllowed(e, entry, byId),
            );
          if (clash) {
            out.push(
              at(
                entry.file,
                [...entry.path, 'value'],
                `${entry.kind.toUpperCase()} "${entry.identifier.value}" is also listed by company "${clash.file.company.id}" at ${where(clash.file, [...clash.path, 'value'])}${overlapNote(entry, clash)}`,
              ),
            );
          }
        });
      }
      yield* out;
    },
  },
  {
    name: 'name-limit',
    severity: 'error',
    description: 'a company lists a bounded number of names',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        const count = companyNames(file).length - 1 + (file.company.falseFriends?.length ?? 0);
        if (count > ctx.limits.maxNamesPerCompany) {
          yield at(
            file,
            ['aliases'],
            `company lists ${count} aliases, subsidiary names and false friends; the limit is ${ctx.limits.maxNamesPerCompany}`,
          );
        }
      }
    },
  },
  ...ownershipRules,
  // ------------------------------------------------------------------ warnings
  {
    name: 'no-evidence',
    severity: 'warning',
    description: 'a company cites at least one piece of evidence',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        if (file.company.evidence.length === 0) {
          // Points at `evidence:` when present, else at the top of the company.
          yield at(file, ['evidence'], 'company has no evidence: add a link that shows its ICE work or its listing');
        }
      }
    },
  },
  {
    name: 'partnership-dates',
    severity: 'warning',
    description: 'a partnership ends after it starts',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        for (const [i, p] of (file.company.partnership ?? []).entries()) {
          if (p.until !== undefined && p.until < p.since) {
            yield at(file, ['partnership', i, 'until'], `partnership "${p.status}" ends (${p.until}) before it starts (${p.since})`);
          }
        }
      }
    },
  },
  {
    name: 'identifier-dates',
    severity: 'warning',
    description: 'an identifier stops being valid after it starts',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        for (const entry of companyIdentifiers(file)) {
          const { validFrom, validTo, value } = entry.identifier;
          if (validFrom !== undefined && validTo !== undefined && validTo < validFrom) {
            yield at(file, [...entry.path, 'validTo'], `${entry.kind.toUpperCase()} "${value}" has validTo ${validTo} before validFrom ${validFrom}`);
          }
        }
      }
    },
  },
  {
    name: 'alias-is-false-friend',
    severity: 'warning',
    description: 'a company does not list the same name as both an alias and a false friend',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        const friends = new Map<string, number>();
        (file.company.falseFriends ?? []).forEach((f, i) => {
          const key = normalizeNameForComparison(f);
          if (key !== '' && !friends.has(key)) friends.set(key, i);
        });
        for (const entry of companyNames(file)) {
          const i = friends.get(normalizeNameForComparison(entry.value));
          if (i !== undefined) {
            yield at(file, entry.path, `"${entry.value}" is also listed as a false friend at line ${file.lineOf(['falseFriends', i])}`);
          }
        }
      }
    },
  },
  {
    name: 'repeated-alias',
    severity: 'warning',
    description: 'a company does not list the same name twice',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        const seen = new Map<string, NameEntry>();
        for (const entry of companyNames(file)) {
          // Exact repeats only (ignoring case and spacing): a display name next to its legal form
          // ("Acme" and "Acme, Inc.") is the normal way to write a company, not a mistake.
          const key = entry.value.trim().replace(/\s+/g, ' ').toLowerCase();
          const earlier = seen.get(key);
          if (earlier) yield at(file, entry.path, `"${entry.value}" repeats "${earlier.value}" (line ${file.lineOf(earlier.path)})`);
          else seen.set(key, entry);
        }
      }
    },
  },
  {
    name: 'repeated-identifier',
    severity: 'warning',
    description: 'a company does not list the same identifier twice',
    *check(ctx) {
      for (const file of parsedFiles(ctx)) {
        const seen = new Map<string, IdentifierEntry>();
        for (const entry of companyIdentifiers(file)) {
          const key = `${entry.kind}:${entry.identifier.value.trim().toUpperCase()}`;
          const earlier = seen.get(key);
          if (earlier) {
            yield at(file, [...entry.path, 'value'], `${entry.kind.toUpperCase()} "${entry.identifier.value}" is already listed at line ${file.lineOf([...earlier.path, 'value'])}`);
          } else seen.set(key, entry);
        }
      }
    },
  },
  {
    name: 'dismissed-duplicate',
    severity: 'warning',
    description: 'a candidate is dismissed once',
    *check(ctx) {
      const d = ctx.dismissed;
      if (!d) return;
      const seen = new Map<string, number>();
      for (const [i, entry] of d.entries.entries()) {
        const earlier = seen.get(entry.id);
        if (earlier !== undefined) {
          yield at(d, ['dismissed', i, 'id'], `"${entry.id}" is already dismissed at line ${d.lineOf(['dismissed', earlier, 'id'])}`);
        } else seen.set(entry.id, i);
      }
    },
  },
  {
    name: 'dismissed-in-registry',
    severity: 'warning',
    description: 'a dismissed candidate is not also a registry company',
    *check(ctx) {
      const d = ctx.dismissed;
      if (!d) return;
      const ids = new Map<string, CompanyFile>();
      for (const f of ctx.files) if (f.declaredId !== undefined && !ids.has(f.declaredId)) ids.set(f.declaredId, f);
      for (const [i, entry] of d.entries.entries()) {
        const file = ids.get(entry.id);
        if (file) yield at(d, ['dismissed', i, 'id'], `"${entry.id}" is dismissed but is in the registry (${where(file, ['id'])}); the dismissal is stale`);
      }
    },
  },
  {
    name: 'control-characters',
    severity: 'error',
    description: 'no NUL or other control characters in any value (they would reach the CSVs and the site)',
    *check(ctx) {
      const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
      function* walk(value: unknown, path: PathSegment[]): Generator<PathSegment[]> {
        if (typeof value === 'string') {
          if (bad.test(value)) yield path;
        } else if (Array.isArray(value)) {
          for (const [i, item] of value.entries()) yield* walk(item, [...path, i]);
        } else if (value && typeof value === 'object') {
          for (const [key, item] of Object.entries(value)) yield* walk(item, [...path, key]);
        }
      }
      const show = (path: PathSegment[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
      for (const file of parsedFiles(ctx)) {
        for (const path of walk(file.company, [])) yield at(file, path, `${show(path)} contains a control character (NUL, escape, …); remove it`);
      }
      if (ctx.dismissed) for (const path of walk(ctx.dismissed.entries, [])) yield at(ctx.dismissed, ['dismissed', ...path], `dismissed${show(['', ...path])} contains a control character; remove it`);
    },
  },
];

/** Total order so output is byte-identical between runs (code-unit comparison, no locale). */
export function compareProblems(a: RegistryProblem, b: RegistryProblem): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    compareText(a.severity, b.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
}

/** Sorts and drops exact duplicates (an anchor reused by aliases can yield the same finding twice). */
export function sortProblems(problems: readonly RegistryProblem[]): RegistryProblem[] {
  const sorted = [...problems].sort(compareProblems);
  return sorted.filter((p, i) => i === 0 || compareProblems(p, sorted[i - 1]!) !== 0);
}

export function validateRegistry(
  files: readonly CompanyFile[],
  dismissed?: DismissedFile,
  limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS,
  rules: readonly RegistryRule[] = registryRules,
): RegistryProblem[] {
  const ctx: RuleContext = { files, dismissed, limits };
  const problems: RegistryProblem[] = [];
  for (const rule of rules) {
    for (const f of rule.check(ctx)) {
      problems.push({ file: f.file, line: f.line, severity: rule.severity, rule: rule.name, message: f.message });
    }
  }
  return sortProblems(problems);
}

export function splitProblems(problems: readonly RegistryProblem[]): { errors: RegistryProblem[]; warnings: RegistryProblem[] } {
  return {
    errors: problems.filter((p) => p.severity === 'error'),
    warnings: problems.filter((p) => p.severity === 'warning'),
  };
}

/** `FILE:LINE: message` (the format editors and GitHub problem matchers understand). */
export function formatProblem(p: RegistryProblem): string {
  return `${p.file}:${p.line}: ${p.severity === 'warning' ? 'warning' : 'error'}: ${p.message} [${p.rule}]`;
}
