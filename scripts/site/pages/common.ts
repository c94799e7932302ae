import { formatUsd } from '../../publish/format.ts';
import { html, type LinkPolicy, type SafeHtml } from '../html.ts';
import type { CompanyView, SiteModel } from '../model.ts';
import { STATUS_LABELS } from '../model.ts';

export interface PageContext {
  model: SiteModel;
  links: LinkPolicy;
}

export function usd(value: number | undefined | null): string {
  return value === undefined || value === null ? '—' : formatUsd(value);
}

export function statusBadge(status: string): SafeHtml {
  const known = Object.hasOwn(STATUS_LABELS, status) ? status : 'unknown';
  return html`<span class="badge badge-${known}">${STATUS_LABELS[status] ?? status}</span>`;
}

export function companyHref(root: string, id: string): string {
  return `${root}company/${encodeURIComponent(id)}.html`;
}

export function listLabel(l: { source: string; list: string }): string {
  return `${l.source}: ${l.list}`;
}

/** One space-free token per list, for data attributes and the URL (`?list=`). */
export function listToken(l: { source: string; list: string }): string {
  return `${encodeURIComponent(l.source)}/${encodeURIComponent(l.list)}`;
}

type Source = SiteModel['sources'][number];

/**
 * ok / stale / failed on a date, from the published freshness alone (never from how this run's fetch
 * went, so a failed fetch rewrites no page). The pages say it as of the data's date; site.js says it
 * again against the reader's clock, since a static page cannot know when it is read.
 */
export function freshness(source: Source, date: string): 'ok' | 'stale' | 'failed' {
  if (!source.lastSuccess) return 'failed';
  return source.staleAfter !== null && source.staleAfter < date ? 'stale' : 'ok';
}

/** One line per source, so nobody mistakes an old snapshot for today's data. */
export function freshnessBanner(model: SiteModel): SafeHtml {
  if (model.sources.length === 0) return html``;
  const states = model.sources.map((s) => freshness(s, model.asOf));
  const worst = states.includes('failed') ? 'failed' : states.includes('stale') ? 'stale' : 'ok';
  return html`<section class="freshness freshness-${worst}" aria-labelledby="freshness-title" data-freshness>
<h2 id="freshness-title">Freshness of the sources <span class="note" data-freshness-date>(as of ${model.asOf})</span></h2>
<ul>${model.sources.map(
    (s, i) =>
      html`<li data-stale-after="${s.staleAfter ?? ''}" data-last-success="${s.lastSuccess ?? ''}"><span class="state state-${states[i]!}" data-state>${states[i]!}</span> <strong>${s.title}</strong>: last success ${s.lastSuccess ? s.lastSuccess.slice(0, 10) : 'never'}${s.staleAfter ? html`, stale after ${s.staleAfter}` : ''}</li>`,
  )}</ul>
</section>`;
}

export function decidingCell(view: CompanyView, links: LinkPolicy): SafeHtml {
  if (view.deciding.length === 0) return html`<span class="note">none in these sources</span>`;
  return html`<ul class="plain">${view.deciding.map((d) => html`<li>${links.link(d.text, d.url)}</li>`)}</ul>`;
}
