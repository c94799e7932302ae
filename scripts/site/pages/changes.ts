/** What each run changed, newest first, from changes.json. */
import { html, type SafeHtml } from '../html.ts';
import { companyHref, usd, type PageContext } from './common.ts';

function companyRef(ctx: PageContext, id: string, name?: string): SafeHtml {
  const view = ctx.model.byId.get(id);
  if (!view) return html`${name ?? id}`;
  return html`<a href="${companyHref('', id)}">${view.company.name}</a>`;
}

/** The line over a list the feed cut to its largest items. */
function more(shown: number, total: number | undefined, what: string, by: string): SafeHtml | string {
  if (total === undefined || total <= shown) return '';
  return html`<p>The ${shown} largest ${by} of ${total} ${what}; the run report lists them all.</p>`;
}

/** After a name list the feed cut: how many more there were. */
function cut(shown: number, total: number | undefined): string {
  return total !== undefined && total > shown ? ` and ${total - shown} more` : '';
}

export function renderChanges(ctx: PageContext): SafeHtml {
  const entries = ctx.model.changes;
  return html`<h1>Changes</h1>
<p class="lede">What each run changed in the published data, newest first. The same feed as JSON: <a href="changes.json">changes.json</a>.</p>
${entries.length === 0 ? html`<p>No run has changed anything yet.</p>` : ''}
${entries.map(
  (e) => html`<section class="change" aria-labelledby="run-${e.asOf}"><h2 id="run-${e.asOf}">${e.asOf}</h2>
${e.statusChanges.length ? html`<h3>Status changes</h3><ul>${e.statusChanges.map((s) => html`<li>${companyRef(ctx, s.id)}: ${s.from} → ${s.to}</li>`)}</ul>` : ''}
${e.newAwards.length ? html`<h3>New awards</h3>${more(e.newAwards.length, e.newAwardCount, 'new awards', 'by obligated')}<ul>${e.newAwards.map((n) => html`<li>${companyRef(ctx, n.id)}: ${ctx.links.link(n.awardKey, n.url, 120)} (${usd(n.obligated)})</li>`)}</ul>` : ''}
${e.companiesProposed.length ? html`<h3>Companies proposed for the registry</h3>${more(e.companiesProposed.length, e.companiesProposedCount, 'companies proposed', 'by awards')}<ul>${e.companiesProposed.map((p) => html`<li>${companyRef(ctx, p.id, p.name)}: ${p.awards} award${p.awards === 1 ? '' : 's'}</li>`)}</ul>` : ''}
${e.listChanges.length ? html`<h3>Watchdog list changes</h3><ul>${e.listChanges.map((l) => html`<li>${l.source}: ${l.list}${l.added.length ? html`, added ${l.added.join('; ')}${cut(l.added.length, l.addedCount)}` : ''}${l.removed.length ? html`, removed ${l.removed.join('; ')}${cut(l.removed.length, l.removedCount)}` : ''}</li>`)}</ul>` : ''}
</section>`,
)}`;
}
