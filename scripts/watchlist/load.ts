/**
 * Watch lists: data/watchlists/<name>.yaml, an organisation's partners to watch (names, optional UEI and
 * website, a contact note). Validated with the registry's machinery (YAML with node lines, zod, the same
 * problem rules), so a mistake comes back as FILE:LINE: message.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LOAD_LIMITS, parseYamlText, readCapped, schemaProblems } from '../registry/load.ts';
import { companyIdSchema } from '../registry/schema.ts';
import { sortProblems } from '../registry/validate.ts';
import type { RegistryProblem } from '../util/errors.ts';

export const WATCHLISTS_DIR = 'watchlists';
export const MAX_WATCHED = 5000;

const watchedSchema = z.strictObject({
  name: z.string().min(1).max(300),
  /** SAM.gov Unique Entity ID, when the organisation knows it: matched before any name. */
  uei: z
    .string()
    .regex(/^[A-Za-z0-9]{12}$/, 'expected a 12-character UEI (letters and digits)')
    .optional(),
  website: z.string().min(1).optional(),
  note: z.string().optional(),
});

export const watchlistSchema = z.strictObject({
  /** Shown as the feed's and the issue's title. */
  title: z.string().min(1).max(200),
  /** Who keeps this list and how to reach them (a note, shown in the tracking issue). */
  contact: z.string().min(1).optional(),
  /** Keep a tracking issue on GitHub for this list and comment on it when something changes. */
  issue: z.boolean().default(false),
  companies: z.array(watchedSchema).min(1).max(MAX_WATCHED),
});

export type Watchlist = z.infer<typeof watchlistSchema> & { id: string; file: string };
export type WatchedCompany = z.infer<typeof watchedSchema>;

export interface LoadedWatchlists {
  watchlists: Watchlist[];
  problems: RegistryProblem[];
}

/** One file's text → a watch list, or the problems that keep it from being one (in line order). */
export function parseWatchlistYaml(text: string, file: string): { watchlist?: Watchlist; problems: RegistryProblem[] } {
  const { watchlist, problems } = parseUnsorted(text, file);
  return { watchlist, problems: sortProblems(problems) };
}

function parseUnsorted(text: string, file: string): { watchlist?: Watchlist; problems: RegistryProblem[] } {
  const id = basename(file).replace(/\.ya?ml$/, '');
  const problems: RegistryProblem[] = [];
  if (!companyIdSchema.safeParse(id).success) {
    problems.push({ file, line: 1, severity: 'error', rule: 'file-name', message: `file name "${id}" must be kebab-case (a-z, 0-9, single hyphens): it becomes the feed's URL` });
  }
  const parsed = parseYamlText(text, file);
  problems.push(...parsed.problems);
  if (!parsed.ok) return { problems };
  if (parsed.empty) return { problems: [...problems, { file, line: 1, severity: 'error', rule: 'schema', message: 'file is empty' }] };
  const result = watchlistSchema.safeParse(parsed.value);
  if (!result.success) return { problems: [...problems, ...schemaProblems(result.error.issues, watchlistSchema, parsed.value, file, parsed)] };
  const seen = new Map<string, number>();
  result.data.companies.forEach((c, i) => {
    const key = c.name.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ file, line: parsed.lineOf(['companies', i, 'name']), severity: 'error', rule: 'duplicate-name', message: `"${c.name}" is listed twice (first at companies[${first}])` });
    } else seen.set(key, i);
  });
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return { watchlist: { ...result.data, id, file }, problems };
}

export async function loadWatchlists(dataDir: string): Promise<LoadedWatchlists> {
  const dir = join(dataDir, WATCHLISTS_DIR);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { watchlists: [], problems: [] };
    throw error;
  }
  const watchlists: Watchlist[] = [];
  const problems: RegistryProblem[] = [];
  for (const entry of entries.filter((e) => /\.ya?ml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = join(dir, entry.name);
    const read = await readCapped(file, DEFAULT_LOAD_LIMITS.maxFileBytes);
    if (read.kind === 'missing') continue;
    if (read.kind === 'problem') {
      problems.push(read.problem);
      continue;
    }
    const one = parseWatchlistYaml(read.text, file);
    problems.push(...one.problems);
    if (one.watchlist) watchlists.push(one.watchlist);
  }
  return { watchlists, problems };
}
