/**
 * Pages made to be framed by an organisation's own site (embed/<list>.html): one policy list, no menu,
 * no script. Links open this site in a new tab rather than inside the frame.
 */
import { html, type SafeHtml } from '../html.ts';
import { SECTIONS, type SectionId } from '../model.ts';
import { companyHref, usd, type PageContext } from './common.ts';

export const EMBED_LISTS: SectionId[] = ['active', 'recent-obligations', 'declined', 'past-partner', 'ended', 'watchdog-only'];

export function renderEmbed(list: SectionId, ctx: PageContext): SafeHtml {
  const meta = SECTIONS.find((s) => s.id === list)!;
  const views = ctx.model.companies.filter((v) => v.sections.includes(list));
  return html`<h1 class="embed-title">${meta.title}</h1>
<p class="note">As of ${ctx.model.asOf}. ${meta.blurb}</p>
${views.length ? html`<ul class="embed-list">${views.map((v) => html`<li><a href="${companyHref('../', v.company.id)}" target="_blank" rel="noopener">${v.company.name}</a>${list === 'active' || list === 'recent-obligations' ? html` <span class="note">${usd(v.company.ice.activeObligated || v.company.ice.obligated)}</span>` : ''}</li>`)}</ul>` : html`<p>No company is on this list.</p>`}
<p class="note"><a href="../index.html" target="_blank" rel="noopener">icewatch</a>: evidence for every entry.</p>`;
}
