/**
 * Loads the curated registry: parse (YAML with node ranges) → schema (zod) → named rules
 * (validate.ts). Never stops at the first problem: every problem comes back with the file and the
 * 1-based line of the node it concerns, errors and warnings side by side (`severity` tells them apart).
 */
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { RegistryError, type RegistryProblem } from '../util/errors.ts';
import { mapAhead } from '../util/lazy.ts';
import { forLog } from '../util/sanitize.ts';
import { compareText } from '../util/text-key.ts';
import {
  companySchema,
  dismissedFileSchema,
  HTTPS_URL_MESSAGE,
  type Company,
  type DismissedEntry,
  type Registry,
} from './schema.ts';
import {
  DEFAULT_VALIDATION_LIMITS,
  sortProblems,
  splitProblems,
  validateRegistry,
  type CompanyFile,
  type DismissedFile,
  type PathSegment,
} from './validate.ts';
import { objectKeys, schemaAt } from './write.ts';

export interface RegistryLoadOptions {
  /** Files above this are not parsed at all (a company file is a few kilobytes). */
  maxFileBytes?: number;
  /** yaml's guard against alias expansion ("billion laughs"): aliases × their expansion size. */
  maxYamlAliasCount?: number;
  maxNamesPerCompany?: number;
}

export const DEFAULT_LOAD_LIMITS: Required<RegistryLoadOptions> = {
  maxFileBytes: 1024 * 1024,
  maxYamlAliasCount: 100,
  maxNamesPerCompany: DEFAULT_VALIDATION_LIMITS.maxNamesPerCompany,
};

export interface LoadedRegistry {
  registry: Registry;
  problems: RegistryProblem[];
}

/** The registry files relative to a data directory. */
export const COMPANIES_DIR = join('registry', 'companies');
export const DISMISSED_FILE = join('registry', 'dismissed.yaml');

type LineOf = (path: readonly PathSegment[]) => number;

export interface YamlText {
  /** Undefined when the file could not be turned into a value (the problems say why). */
  value: unknown;
  ok: boolean;
  /** The document was empty or only comments. */
  empty: boolean;
  problems: RegistryProblem[];
  lineOf: LineOf;
  /** The text of the scalar at `path` as written in the file (before YAML resolved it). */
  sourceOf: (path: readonly PathSegment[]) => string | undefined;
}

function problem(file: string, line: number, rule: string, message: string, severity: 'error' | 'warning' = 'error'): RegistryProblem {
  return { file, line, severity, rule, message };
}

interface Located {
  /** The node at `path`, or undefined when the path does not exist in the document. */
  node: unknown;
  /** Line of that node (for a map entry, of its key), or of its deepest existing ancestor. */
  line: number;
}

function locator(doc: Document, lineCounter: LineCounter): (path: readonly PathSegment[]) => Located {
  const lineAt = (node: unknown, fallback: number): number => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : fallback;
  };
  return (path) => {
    let node: unknown = doc.contents;
    let line = lineAt(node, 1);
    for (const segment of path) {
      // Follow an alias into its anchor: the offending value is written there.
      for (let hops = 0; isAlias(node) && hops < 100; hops++) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return { node: undefined, line };
        line = lineAt(pair.key, line);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) return { node: undefined, line };
        line = lineAt(item, line);
        node = item;
      } else {
        return { node: undefined, line };
      }
    }
    return { node, line };
  };
}

/**
 * yaml parses flow collections recursively: tens of thousands of nested brackets exhaust memory
 * before any error can be caught. Counting every bracket, quoted or not, can only over-count, so
 * no quoting trick hides real nesting from this check. Returns the 1-based line where it trips.
 */
const MAX_FLOW_DEPTH = 64;

function flowDepthExceeded(text: string, max: number): number | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a) line++;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return line;
    } else if ((ch === 0x5d || ch === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** Parses YAML text into a plain value, turning every failure into a located problem. */
export function parseYamlText(text: string, file: string, options: RegistryLoadOptions = {}): YamlText {
  const limits = { ...DEFAULT_LOAD_LIMITS, ...options };
  const deep = flowDepthExceeded(text, MAX_FLOW_DEPTH);
  if (deep !== undefined) {
    return failed(file, deep, 'yaml-too-deep', `brackets nest deeper than ${MAX_FLOW_DEPTH} levels; a registry file never needs that`);
  }
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    // Only pathological input gets here (e.g. nesting deep enough to exhaust the stack).
    return failed(file, 1, 'yaml-syntax', `could not parse YAML: ${forLog(String((error as Error).message))}`);
  }
  const locate = locator(doc, lineCounter);
  const lineOf: LineOf = (path) => locate(path).line;
  const sourceOf = (path: readonly PathSegment[]): string | undefined => {
    const { node } = locate(path);
    return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
  };
  const problems: RegistryProblem[] = [];
  const at = (e: { linePos?: [{ line: number }, ...unknown[]]; pos: [number, number] }): number =>
    e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line;
  for (const e of doc.errors) problems.push(problem(file, at(e), 'yaml-syntax', yamlMessage(e.message)));
  for (const w of doc.warnings) problems.push(problem(file, at(w), 'yaml-warning', yamlMessage(w.message), 'warning'));
  if (doc.errors.length > 0) return { value: undefined, ok: false, empty: false, problems, lineOf, sourceOf };
  if (doc.contents === null) return { value: undefined, ok: true, empty: true, problems, lineOf, sourceOf };

  try {
    return { value: doc.toJS({ maxAliasCount: limits.maxYamlAliasCount }), ok: true, empty: false, problems, lineOf, sourceOf };
  } catch (error) {
    const message = (error as Error).message;
    let aliasLine = 1;
    visit(doc, {
      Alias(_, node) {
        aliasLine = lineCounter.linePos(node.range?.[0] ?? 0).line;
        return visit.BREAK;
      },
    });
    const excessive = /Excessive alias count/.test(message);
    problems.push(
      problem(
        file,
        aliasLine,
        excessive ? 'yaml-alias-limit' : 'yaml-syntax',
        excessive
          ? `YAML aliases expand beyond the limit of ${limits.maxYamlAliasCount} (anchor/alias bomb?); write the values out instead`
          : yamlMessage(message),
      ),
    );
    return { value: undefined, ok: false, empty: false, problems, lineOf, sourceOf };
  }
}

function failed(file: string, line: number, rule: string, message: string): YamlText {
  return unreadable(problem(file, line, rule, message));
}

function unreadable(p: RegistryProblem): YamlText {
  return { value: undefined, ok: false, empty: false, problems: [p], lineOf: () => p.line, sourceOf: () => undefined };
}

// yaml's pretty errors repeat the position and quote the source; file:line already says where.
function yamlMessage(message: string): string {
  return forLog(message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, ''), 300);
}

export type ReadOutcome = { kind: 'ok'; text: string } | { kind: 'missing' } | { kind: 'problem'; problem: RegistryProblem };

/** Reads at most `maxBytes` + 1 bytes, so a huge (or endless) file costs no more than the cap. */
export async function readCapped(path: string, maxBytes: number): Promise<ReadOutcome> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  // Checked before opening: opening a FIFO would block, /dev/zero would never end.
  if (!info.isFile()) return { kind: 'problem', problem: problem(path, 1, 'unexpected-file', 'not a regular file') };
  const tooLarge = (size: string): ReadOutcome => ({
    kind: 'problem',
    problem: problem(path, 1, 'file-too-large', `file is ${size}; the limit is ${maxBytes} bytes (a company file is a few kilobytes)`),
  });
  if (info.size > maxBytes) return tooLarge(`${info.size} bytes`);
  const handle = await open(path, 'r');
  try {
    // Only the bytes read are ever decoded, so the buffer need not be zeroed first.
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return tooLarge(`over ${maxBytes} bytes`);
    }
    try {
      return { kind: 'ok', text: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, total)) };
    } catch {
      return { kind: 'problem', problem: problem(path, 1, 'encoding', 'file is not valid UTF-8') };
    }
  } finally {
    await handle.close();
  }
}

function getIn(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Object.hasOwn(current, segment) ? (current as Record<string | number, unknown>)[segment] : undefined;
  }
  return current;
}

function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const saved = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        previous = saved;
      }
    }
    return row[b.length]!;
  };
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(key.slice(0, 64), c);
    if (d <= Math.max(1, Math.floor(c.length / 3)) && (!best || d < best.d)) best = { key: c, d };
  }
  return best?.key;
}

/** Turns zod issues into located problems with rule names a maintainer can search for. */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
  schema: z.core.$ZodType,
  value: unknown,
  file: string,
  parsed: Pick<YamlText, 'lineOf' | 'sourceOf'>,
): RegistryProblem[] {
  const { lineOf } = parsed;
  const out: RegistryProblem[] = [];
  const httpsPaths = new Set(
    issues.filter((i) => i.code === 'invalid_format' && i.message === HTTPS_URL_MESSAGE).map((i) => formatPath(toPath(i.path))),
  );
  for (const issue of issues) {
    const path = toPath(issue.path);
    const name = formatPath(path);
    const field = name || 'document';
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectKeys(schemaAt(schema, path)) ?? [];
      for (const key of issue.keys) {
        const guess = closest(key, allowed);
        out.push(
          problem(
            file,
            lineOf([...path, key]),
            'unknown-key',
            `unknown key "${forLog(key, 80)}"${name ? ` in ${name}` : ''}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`,
          ),
        );
      }
    } else if (issue.code === 'invalid_format' && issue.message === HTTPS_URL_MESSAGE) {
      const got = getIn(value, path);
      out.push(problem(file, lineOf(path), 'https-url', `${field}: expected an https:// URL, got ${JSON.stringify(forLog(String(got), 120))}`));
    } else if (issue.code === 'invalid_format' && httpsPaths.has(name)) {
      // Already reported as https-url; "Invalid URL" on top of it says nothing new.
    } else if (issue.code === 'invalid_format' && issue.format === 'date') {
      out.push(problem(file, lineOf(path), 'invalid-date', `${field}: ${JSON.stringify(forLog(String(getIn(value, path)), 40))} is not a real YYYY-MM-DD date`));
    } else if (issue.code === 'invalid_type' && path.length > 0 && getIn(value, path) === undefined) {
      out.push(problem(file, lineOf(path), 'missing-field', `missing required field "${name}"`));
    } else if (issue.code === 'invalid_type' && path.length === 0 && value === undefined) {
      out.push(problem(file, 1, 'schema', 'file is empty'));
    } else {
      let message = `${field}: ${issue.message}`;
      const got = getIn(value, path);
      if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof got === 'number' || typeof got === 'boolean')) {
        // YAML reads 012345678 as the number 12345678: quoting keeps identifiers (and their zeros) intact.
        const written = parsed.sourceOf(path) ?? String(got);
        message += ` (put it in quotes: '${forLog(written, 40)}'${written !== String(got) ? `; unquoted, YAML reads it as ${String(got)}` : ''})`;
      }
      out.push(problem(file, lineOf(path), 'schema', message));
    }
  }
  return out;
}

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((s) => (typeof s === 'number' ? s : String(s)));
}

/**
 * Parses one company file's text (no cross-file rules). `file` is what problems show; the file id
 * is taken from its base name.
 */
export function parseCompanyYaml(
  text: string,
  file: string,
  options: RegistryLoadOptions = {},
): { entry: CompanyFile; problems: RegistryProblem[] } {
  const parsed = parseYamlText(text, file, options);
  return companyEntry(parsed, file);
}

function fileIdOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.endsWith('.yaml') ? base.slice(0, -'.yaml'.length) : base;
}

function companyEntry(parsed: YamlText, file: string): { entry: CompanyFile; problems: RegistryProblem[] } {
  const problems = [...parsed.problems];
  const rawId = getIn(parsed.value, ['id']);
  let company: Company | undefined;
  if (parsed.ok) {
    const result = companySchema.safeParse(parsed.empty ? undefined : parsed.value);
    if (result.success) company = result.data;
    else problems.push(...schemaProblems(result.error.issues, companySchema, parsed.value, file, parsed));
  }
  return {
    entry: { file, fileId: fileIdOf(file), declaredId: typeof rawId === 'string' ? rawId : undefined, company, lineOf: parsed.lineOf },
    problems,
  };
}

function byName(a: Dirent, b: Dirent): number {
  return compareText(a.name, b.name);
}

/** Company files read at once: the registry is many small files, and reading them one by one is mostly waiting. */
const READ_AHEAD = 16;

async function loadCompanyFiles(
  dataDir: string,
  limits: Required<RegistryLoadOptions>,
): Promise<{ files: CompanyFile[]; problems: RegistryProblem[] }> {
  const dir = join(dataDir, COMPANIES_DIR);
  const problems: RegistryProblem[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { files: [], problems: [problem(dir, 1, 'registry-missing', `no registry here: ${dir} does not exist (wrong --data directory?)`)] };
  }
  const files: CompanyFile[] = [];
  const paths: string[] = [];
  for (const entry of entries.sort(byName)) {
    // Dotfiles (.gitkeep, editor swap files) are not registry entries.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (!entry.name.endsWith('.yaml')) {
      const hint = entry.name.endsWith('.yml') ? `; rename it to ${entry.name.slice(0, -4)}.yaml` : '';
      problems.push(problem(path, 1, 'unexpected-file', `ignored: company files are named <id>.yaml${hint}`, 'warning'));
      continue;
    }
    paths.push(path);
  }
  const reads = mapAhead(paths, READ_AHEAD, async (path) => ({ path, read: await readCapped(path, limits.maxFileBytes) }));
  for await (const { path, read } of reads) {
    if (read.kind === 'missing') continue; // removed while we were listing
    const parsed =
      read.kind === 'ok'
        ? parseYamlText(read.text, path, limits)
        : unreadable(read.problem);
    const { entry: file, problems: fileProblems } = companyEntry(parsed, path);
    files.push(file);
    problems.push(...fileProblems);
  }
  return { files, problems };
}

async function loadDismissed(
  dataDir: string,
  limits: Required<RegistryLoadOptions>,
): Promise<{ dismissed: DismissedFile | undefined; problems: RegistryProblem[] }> {
  const path = join(dataDir, DISMISSED_FILE);
  const read = await readCapped(path, limits.maxFileBytes);
  if (read.kind === 'missing') return { dismissed: undefined, problems: [] };
  if (read.kind === 'problem') return { dismissed: undefined, problems: [read.problem] };
  const parsed = parseYamlText(read.text, path, limits);
  const problems = [...parsed.problems];
  if (!parsed.ok) return { dismissed: undefined, problems };
  // An empty (or comment-only) file means nothing has been dismissed yet.
  const value = parsed.empty ? {} : parsed.value;
  const result = dismissedFileSchema.safeParse(value);
  if (!result.success) {
    problems.push(...schemaProblems(result.error.issues, dismissedFileSchema, value, path, parsed));
    return { dismissed: undefined, problems };
  }
  return { dismissed: { file: path, entries: result.data.dismissed, lineOf: parsed.lineOf }, problems };
}

/**
 * Reads `<dataDir>/registry/companies/*.yaml` (in sorted order) and `<dataDir>/registry/dismissed.yaml`
 * (optional). Problem `file`s are `dataDir` joined with the file's path, so a relative `dataDir`
 * gives repository-relative paths. The registry holds every company that parsed (first file wins
 * for a duplicated id), sorted by id, whether or not rules found errors: check `problems`.
 */
export async function loadRegistry(dataDir: string, options: RegistryLoadOptions = {}): Promise<LoadedRegistry> {
  const limits = { ...DEFAULT_LOAD_LIMITS, ...options };
  const { files, problems } = await loadCompanyFiles(dataDir, limits);
  const { dismissed, problems: dismissedProblems } = await loadDismissed(dataDir, limits);
  problems.push(...dismissedProblems);
  problems.push(...validateRegistry(files, dismissed, { maxNamesPerCompany: limits.maxNamesPerCompany }));

  const first = new Map<string, Company>();
  for (const f of files) if (f.company && !first.has(f.company.id)) first.set(f.company.id, f.company);
  const companies = [...first.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Rebuilt from the sorted list so that iterating byId is in id order too.
  const byId = new Map(companies.map((c) => [c.id, c] as const));
  const entries: DismissedEntry[] = dismissed ? [...dismissed.entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : [];
  return { registry: { companies, byId, dismissed: entries }, problems: sortProblems(problems) };
}

/** For pipeline stages that need a usable registry: throws RegistryError listing every error. */
export async function loadValidRegistry(
  dataDir: string,
  options: RegistryLoadOptions = {},
): Promise<{ registry: Registry; warnings: RegistryProblem[] }> {
  const { registry, problems } = await loadRegistry(dataDir, options);
  const { errors, warnings } = splitProblems(problems);
  if (errors.length > 0) throw new RegistryError(problems);
  return { registry, warnings };
}
