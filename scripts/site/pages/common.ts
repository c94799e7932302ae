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

/** One line per source, so nobody mistakes an old snapshot for today's data. */
export function freshnessBanner(model: SiteModel): SafeHtml {
  if (model.health.length === 0) return html``;
  const worst = model.health.some((h) => h.state === 'failed') ? 'failed' : model.health.some((h) => h.state === 'stale') ? 'stale' : 'ok';
  return html`<section class="freshness freshness-${worst}" aria-labelledby="freshness-title">
<h2 id="freshness-title">Freshness of the sources</h2>
<ul>${model.health.map(
    (h) =>
      html`<li><span class="state state-${h.state}">${h.state}</span> <strong>${h.title}</strong>: last success ${h.lastSuccess ? h.lastSuccess.slice(0, 10) : 'never'}${h.staleAfter ? html`, stale after ${h.staleAfter}` : ''}${h.state !== 'ok' && h.message ? html` <span class="note">(${h.message})</span>` : ''}</li>`,
  )}</ul>
</section>`;
}

export function decidingCell(view: CompanyView, links: LinkPolicy): SafeHtml {
  if (view.deciding.length === 0) return html`<span class="note">none in these sources</span>`;
  return html`<ul class="plain">${view.deciding.map((d) => html`<li>${links.link(d.text, d.url)}</li>`)}</ul>`;
}
