/**
 * `icewatch smoke --live`: one page of each source plus its count, as a table of what a real fetch
 * would do. Each source brings its own check (`smoke` in its declaration); this module runs them and
 * renders the table. Plain functions: the command line only supplies the HTTP clients.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable } from 'markdown-table';
import { IcewatchError, SourceFormatError, SourceUnavailableError } from '../util/errors.ts';
import type { HttpClient } from '../util/http.ts';
import { escapeMarkdown, forLog } from '../util/sanitize.ts';
import type { SmokeContext, SmokeReport, SourceDefinition } from './types.ts';

/** A smoke check's exception as a report line: typed failures say changed/unavailable, others rethrow. */
export function smokeFailure(source: string, request: string, error: unknown): SmokeReport {
  if (error instanceof SourceUnavailableError) {
    return { source, request, rows: 0, rowIssues: 0, wouldFetch: '—', status: 'unavailable', message: forLog(error.message, 300) };
  }
  if (error instanceof SourceFormatError) {
    return { source, request, rows: 0, rowIssues: 0, wouldFetch: '—', status: 'changed', message: forLog(error.message, 300) };
  }
  throw error;
}

/**
 * A source whose fetch is one page (the watchdog lists) is smoke-tested by that fetch and its parse,
 * written nowhere: the page is the whole of what a fetch would bring.
 */
async function pageSmoke(source: SourceDefinition, ctx: SmokeContext): Promise<SmokeReport> {
  const request = `GET ${source.hosts[0] ?? source.homepage} (the page)`;
  try {
    const fetched = await source.fetch({ ...ctx });
    const parsed = await source.parse(fetched.inputs, { log: ctx.log });
    const lists = parsed.lists?.length ? ` on ${parsed.lists.length} list(s)` : '';
    const empty = parsed.records.length === 0 && !parsed.state;
    return {
      source: source.id,
      request,
      rows: parsed.records.length,
      rowIssues: parsed.rowIssues.length,
      wouldFetch: `the page: ${parsed.records.length} name(s)${lists}${parsed.state ? ` (state ${parsed.state})` : ''}`,
      status: empty ? 'changed' : 'ok',
      ...(empty ? { message: 'the page parsed to nothing: its structure may have changed' } : {}),
    };
  } catch (error) {
    return smokeFailure(source.id, request, error);
  }
}

export interface SmokeOptions {
  sources: readonly SourceDefinition[];
  httpFor: (source: SourceDefinition) => HttpClient;
  now: Date;
  log: (message: string) => void;
}

export async function runSmoke(options: SmokeOptions): Promise<SmokeReport[]> {
  const reports: SmokeReport[] = [];
  for (const source of options.sources) {
    const workDir = await mkdtemp(join(tmpdir(), `icewatch-smoke-${source.id}-`));
    try {
      const ctx = { http: options.httpFor(source), workDir, now: options.now, log: options.log };
      if (source.smoke) reports.push(await source.smoke(ctx));
      else if (source.mode === 'replace') reports.push(await pageSmoke(source, ctx));
      else reports.push({ source: source.id, request: '—', rows: 0, rowIssues: 0, wouldFetch: '—', status: 'ok', message: 'no smoke check declared' });
    } catch (error) {
      // A bug in one check must not hide the others' answers.
      const message = error instanceof IcewatchError ? error.message : `smoke check crashed: ${(error as Error).message}`;
      reports.push({ source: source.id, request: '—', rows: 0, rowIssues: 0, wouldFetch: '—', status: 'changed', message: forLog(message, 300) });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
  return reports;
}

export function smokeTable(reports: readonly SmokeReport[]): string {
  return markdownTable([
    ['source', 'status', 'request', 'rows', 'refused', 'count', 'would fetch', 'note'],
    ...reports.map((r) => [
      r.source,
      r.status,
      escapeMarkdown(r.request),
      String(r.rows),
      String(r.rowIssues),
      r.count === undefined ? '—' : r.count.toLocaleString('en-US'),
      escapeMarkdown(r.wouldFetch),
      escapeMarkdown(r.message ?? ''),
    ]),
  ]);
}

/** One line per source that is not ok, for a job summary or an exit message. */
export function smokeSummary(reports: readonly SmokeReport[]): string {
  const bad = reports.filter((r) => r.status !== 'ok');
  if (bad.length === 0) return `smoke: all ${reports.length} source(s) answered as their contracts say`;
  return [`smoke: ${bad.length} of ${reports.length} source(s) need attention (changed: the contract differs; unavailable: no answer):`, ...bad.map((r) => `- ${r.source} ${r.status}: ${r.message ?? ''}`)].join('\n');
}
