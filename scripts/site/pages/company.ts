/** One page per registry company: who it is, why it has its status, and every award behind that. */
import { clean, html, type SafeHtml } from '../html.ts';
import type { AwardRow, CompanyView } from '../model.ts';
import { SECTIONS } from '../model.ts';
import { companyHref, decidingCell, listLabel, statusBadge, usd, type PageContext } from './common.ts';

const RELATION_LABELS: Record<string, string> = { direct: 'direct', subsidiary: 'through a unit', 'via-reseller': 'via a reseller (lower bound)' };

/** A company with thousands of awards still gets a page of bounded size; awards.csv has them all. */
export const MAX_AWARDS_SHOWN = 200;

function awardsTable(id: string, caption: string, all: AwardRow[], ctx: PageContext, lowerBound = false): SafeHtml {
  if (all.length === 0) return html``;
  const rows = all.slice(0, MAX_AWARDS_SHOWN);
  const more = all.length - rows.length;
  return html`<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0"><table class="awards">
<caption id="${id}">${caption}</caption>
<thead><tr><th scope="col">Award</th><th scope="col">Recipient</th><th scope="col" class="num">Obligated${lowerBound ? ' (lower bound)' : ''}</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Active</th><th scope="col">Matched</th></tr></thead>
<tbody>${rows.map(
    (a) =>
      html`<tr${a.active ? html` class="is-active"` : ''}><th scope="row">${ctx.links.link(a.piid, a.url, 80)}<br><span class="note key">${a.awardKey}</span></th><td>${a.recipient}${a.description ? html`<br><span class="note">${clean(a.description, 200)}</span>` : ''}</td><td class="num">${lowerBound ? '≥ ' : ''}${usd(a.obligated)}</td><td>${a.start ?? '—'}</td><td>${a.end ?? '—'}</td><td>${a.active ? html`<strong>active</strong>` : 'no'}</td><td>${RELATION_LABELS[a.relation] ?? a.relation}</td></tr>`,
  )}</tbody>
</table></div>${more > 0 ? html`<p class="note">${more} more award${more === 1 ? '' : 's'} (the smaller, inactive ones) are in <a href="../awards.csv">awards.csv</a>.</p>` : ''}`;
}

function fiscalYearChart(view: CompanyView): SafeHtml {
  const fy = view.company.ice.byFiscalYear;
  if (!fy || fy.length === 0) return html``;
  const c = view.company;
  const summary = `Obligations by fiscal year, FY${fy[0]!.fiscalYear} to FY${fy[fy.length - 1]!.fiscalYear}; the table below has the figures.`;
  return html`<section aria-labelledby="fy-title"><h2 id="fy-title">ICE obligations by fiscal year</h2>
<figure class="chart"><img src="../charts/${encodeURIComponent(c.id)}-fiscal-years.svg" width="640" height="260" alt="${summary}"><figcaption>Bars in the lighter colour are lower bounds (not every transaction of that year is in these sources).</figcaption></figure>
<div class="table-wrap" role="region" aria-labelledby="fy-table" tabindex="0"><table><caption id="fy-table">Obligations by fiscal year (the chart's data)</caption>
<thead><tr><th scope="col">Fiscal year</th><th scope="col" class="num">Obligated</th><th scope="col" class="num">Transactions</th><th scope="col">Complete</th></tr></thead>
<tbody>${fy.map((y) => html`<tr><th scope="row">FY${y.fiscalYear}</th><td class="num">${y.complete ? '' : '≥ '}${usd(y.obligated)}</td><td class="num">${y.transactions}</td><td>${y.complete ? 'yes' : 'no (lower bound)'}</td></tr>`)}</tbody></table></div>
</section>`;
}

export function renderCompany(view: CompanyView, ctx: PageContext): SafeHtml {
  const c = view.company;
  const root = '../';
  const lists = view.sections.map((id) => SECTIONS.find((s) => s.id === id)?.title ?? id);
  const directAwards = view.awards.filter((a) => a.relation === 'direct');
  const rolledUp = view.children.reduce((sum, k) => sum + k.ice.obligated, c.ice.obligated);
  return html`<p class="breadcrumb"><a href="${root}index.html">Companies</a> › ${c.name}</p>
<h1>${c.name}</h1>
<p class="lede">${statusBadge(c.status)} as of ${ctx.model.asOf}.${lists.length ? html` On the lists: ${lists.join(', ')}.` : ''}${view.lastChanged ? html` Last changed ${view.lastChanged}.` : html` No change recorded since ${ctx.model.generatedAt.slice(0, 10)}.`}</p>
<section aria-labelledby="why-title"><h2 id="why-title">Deciding evidence</h2>${decidingCell(view, ctx.links)}</section>
<section aria-labelledby="who-title"><h2 id="who-title">Names, units and parent</h2>
<dl class="facts">
${view.aliases.length ? html`<dt>Also known as</dt><dd>${view.aliases.join('; ')}</dd>` : ''}
${view.parent ? html`<dt>Parent</dt><dd><a href="${companyHref(root, view.parent.id)}">${view.parent.name}</a></dd>` : ''}
${view.units.length ? html`<dt>Units</dt><dd><ul class="plain">${view.units.map((u) => html`<li>${u.name} <span class="note">(${u.awards.length} ICE award${u.awards.length === 1 ? '' : 's'}, ${usd(u.awards.reduce((s, a) => s + (a.obligated ?? 0), 0))})</span></li>`)}</ul></dd>` : ''}
${view.children.length ? html`<dt>Companies in the registry that are part of it</dt><dd><ul class="plain">${view.children.map((k) => html`<li><a href="${companyHref(root, k.id)}">${k.name}</a>: ${statusBadge(k.status)} ${usd(k.ice.obligated)}</li>`)}</ul>Rolled up with them: ${usd(rolledUp)} obligated.</dd>` : ''}
${c.website ? html`<dt>Website</dt><dd>${ctx.links.link(c.website, c.website)}</dd>` : ''}
<dt>Roles</dt><dd>${c.roles.join(', ')}</dd>
</dl></section>
<section aria-labelledby="totals-title"><h2 id="totals-title">ICE totals</h2>
<dl class="facts">
<dt>Obligated (direct and units)</dt><dd>${usd(c.ice.obligated)} over ${c.ice.awardCount} award${c.ice.awardCount === 1 ? '' : 's'}</dd>
<dt>Active</dt><dd>${usd(c.ice.activeObligated)} over ${c.ice.activeAwardCount} award${c.ice.activeAwardCount === 1 ? '' : 's'}</dd>
<dt>First award start / last end</dt><dd>${c.ice.firstAwardStart ?? '—'} / ${c.ice.lastAwardEnd ?? '—'}</dd>
${c.ice.resellerChannel.awardCount ? html`<dt>Through resellers (lower bound)</dt><dd>at least ${usd(c.ice.resellerChannel.obligatedLowerBound)} over ${c.ice.resellerChannel.awardCount} award${c.ice.resellerChannel.awardCount === 1 ? '' : 's'} naming its products</dd>` : ''}
</dl></section>
${fiscalYearChart(view)}
<section aria-labelledby="awards-title"><h2 id="awards-title">Awards</h2>
${view.awards.length === 0 && view.resellerAwards.length === 0 ? html`<p>No ICE award found in these sources.</p>` : ''}
${awardsTable('awards-direct', `Direct awards (${directAwards.length})`, directAwards, ctx)}
${view.units.filter((u) => u.awards.length > 0).map((u, i) => awardsTable(`awards-unit-${i}`, `Awards to ${u.name} (${u.awards.length})`, u.awards, ctx))}
${awardsTable('awards-reseller', `Bought through resellers, naming its products (${view.resellerAwards.length}); amounts are lower bounds`, view.resellerAwards, ctx, true)}
</section>
<section aria-labelledby="history-title"><h2 id="history-title">Status history</h2>
${view.statusHistory.length || c.partnership.length ? html`<ul>${view.statusHistory.map((h) => html`<li>${h.asOf}: ${h.from} → ${h.to}</li>`)}${c.partnership.map((p) => html`<li>${p.since}${p.until ? html` to ${p.until}` : ''}: ${p.status} (${ctx.links.link('policy page', p.source)})</li>`)}</ul>` : html`<p>No recorded change.</p>`}
</section>
<section aria-labelledby="mentions-title"><h2 id="mentions-title">Watchdog mentions</h2>
${view.mentions.length ? html`<ul>${view.mentions.map((m) => html`<li>${listLabel(m)}: “${m.name}”${m.evidenceUrl ? html` (${ctx.links.link('their link', m.evidenceUrl)})` : ''}</li>`)}</ul>` : html`<p>Not named by the watchdog lists this project reads.</p>`}
</section>
<section aria-labelledby="evidence-title"><h2 id="evidence-title">Evidence</h2>
${c.evidence.length ? html`<ul class="evidence">${c.evidence.map((e) => html`<li>${ctx.links.link(e.title, e.url)} <span class="note">${e.publisher}, ${e.date} (${e.kind})</span><br>${clean(e.summary, 400)}</li>`)}</ul>` : html`<p>No curated evidence yet.</p>`}
</section>`;
}
