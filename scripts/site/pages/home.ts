/**
 * The policy view: one table per policy list (active, recent obligations, declined, past partners,
 * ended, watchdog-only, no record). Complete without JavaScript; site.js adds search, filters and sort
 * over the rows' data attributes and keeps that state in the URL.
 */
import { html, type SafeHtml } from '../html.ts';
import { SECTIONS, type CompanyView, type SectionId } from '../model.ts';
import { companyHref, decidingCell, freshnessBanner, listLabel, listToken, statusBadge, usd, type PageContext } from './common.ts';

function row(view: CompanyView, ctx: PageContext): SafeHtml {
  const c = view.company;
  // What the search box matches: each word of the names once (the home page carries one row per company).
  const words = [c.name, ...view.aliases, ...view.units.map((u) => u.name), c.id].join(' ').toLowerCase().split(/\s+/);
  const search = [...new Set(words)].join(' ');
  const lists = c.watchdogLists.map((l) => listToken(l)).join(' ');
  return html`<tr data-id="${c.id}" data-search="${search}" data-status="${view.sections.join(' ')}"${lists ? html` data-lists="${lists}"` : ''} data-obligated="${c.ice.obligated}">
<th scope="row"><a href="${companyHref('', c.id)}">${c.name}</a>${c.parent ? html`<span class="note"> (part of ${view.parent?.name ?? c.parent})</span>` : ''}</th>
<td>${statusBadge(c.status)}</td>
<td>${view.deciding.length ? decidingCell(view, ctx.links) : '—'}</td>
<td class="num">${usd(c.ice.obligated)}${c.ice.activeObligated ? html`<br><span class="note">${usd(c.ice.activeObligated)} active</span>` : ''}${c.ice.resellerChannel.awardCount ? html`<br><span class="note">≥ ${usd(c.ice.resellerChannel.obligatedLowerBound)} via resellers</span>` : ''}</td>
<td class="num">${c.ice.activeAwardCount} / ${c.ice.awardCount}</td>
<td>${c.watchdogLists.length ? html`<ul class="plain">${c.watchdogLists.map((l) => html`<li>${listLabel(l)}</li>`)}</ul>` : '—'}</td>
</tr>`;
}

/** Companies with nothing but a name to show are listed compactly: no row of empty columns. */
function compactItem(view: CompanyView): SafeHtml {
  const c = view.company;
  const words = [c.name, ...view.aliases, ...view.units.map((u) => u.name), c.id].join(' ').toLowerCase().split(/\s+/);
  return html`<li data-id="${c.id}" data-search="${[...new Set(words)].join(' ')}" data-status="${view.sections.join(' ')}" data-obligated="0"><a href="${companyHref('', c.id)}">${c.name}</a></li>`;
}

function section(id: SectionId, title: string, blurb: string, views: CompanyView[], ctx: PageContext): SafeHtml {
  const rows = views.filter((v) => v.sections.includes(id));
  if (rows.length === 0) return html``;
  const body =
    id === 'no-record'
      ? html`<ul class="compact" data-rows>${rows.map((v) => compactItem(v))}</ul>`
      : html`<div class="table-wrap" role="region" aria-labelledby="${id}-title" tabindex="0" data-rows-wrap>
<table class="companies">
<thead><tr><th scope="col">Company</th><th scope="col">ICE status</th><th scope="col">Deciding evidence</th><th scope="col" class="num">ICE obligated</th><th scope="col" class="num">Active / all awards</th><th scope="col">Watchdog lists</th></tr></thead>
<tbody data-rows>${rows.map((v) => row(v, ctx))}</tbody>
</table>
</div>`;
  return html`<section class="policy-section" id="${id}" data-section="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">${title} <span class="count">(<span data-count>${rows.length}</span>)</span></h2>
<p>${blurb}</p>
${body}
<p class="empty" hidden>No company in this list matches the filters.</p>
</section>`;
}

function filterForm(ctx: PageContext): SafeHtml {
  return html`<form class="filters" id="filters" role="search" aria-label="Search and filter companies" hidden>
<div class="field"><label for="q">Search by name</label><input id="q" name="q" type="search" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="status">List</label><select id="status" name="status"><option value="">All lists</option>${SECTIONS.map((s) => html`<option value="${s.id}">${s.title}</option>`)}</select></div>
<div class="field"><label for="list">Named by watchdog list</label><select id="list" name="list"><option value="">Any or none</option>${ctx.model.lists.map((l) => html`<option value="${listToken(l)}">${listLabel(l)}</option>`)}</select></div>
<div class="field"><label for="min">ICE obligated at least (USD)</label><input id="min" name="min" type="number" min="0" step="1000" inputmode="numeric"></div>
<div class="field"><label for="sort">Sort by</label><select id="sort" name="sort"><option value="name">Name</option><option value="obligated">ICE obligated, largest first</option></select></div>
<div class="field"><button type="reset" id="reset">Clear filters</button></div>
<p class="result-count" id="result-count" role="status" aria-live="polite"></p>
</form>`;
}

export function renderHome(ctx: PageContext): SafeHtml {
  const { model } = ctx;
  const totals = {
    all: model.companies.length,
    active: model.companies.filter((v) => v.sections.includes('active')).length,
    declined: model.companies.filter((v) => v.sections.includes('declined')).length,
    past: model.companies.filter((v) => v.sections.includes('past-partner')).length,
  };
  return html`<h1>Companies with U.S. ICE contracts</h1>
<p class="lede">Statuses as of <strong>${model.asOf}</strong>, from public procurement records and watchdog lists. ${totals.all} companies in the registry: ${totals.active} with active ICE contracts, ${totals.declined} declined, ${totals.past} past partners. An award is active when its end date (or, for an indefinite-delivery vehicle, its last date to order) is on or after the as-of date.</p>
${freshnessBanner(model)}
${filterForm(ctx)}
<nav aria-label="Lists on this page" class="toc"><ul>${SECTIONS.filter((s) => model.companies.some((v) => v.sections.includes(s.id))).map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}</ul></nav>
${SECTIONS.map((s) => section(s.id, s.title, s.blurb, model.companies, ctx))}`;
}
