/** Each source with its health, every published file, and how to consume the JSON. */
import MarkdownIt from 'markdown-it';
import { html, raw, type SafeHtml } from '../html.ts';
import { freshness, freshnessBanner, type PageContext } from './common.ts';

const DESCRIPTIONS: Record<string, string> = {
  'companies.json': 'Every registry company with status, partnership, ICE totals, watchdog lists and evidence (validate with schema/companies.schema.json).',
  'companies.csv': 'The same, one row per company.',
  'awards.csv': 'Every matched ICE award: relation, confidence, amounts, dates, active flag and usaspending.gov link.',
  'awards.parquet': 'The same awards, and those of the run\'s candidates, as typed zstd Parquet (pandas, DuckDB, R, Spark); see the README\'s "Query the data".',
  'companies.md': 'The policy page mirror in Markdown.',
  'changes.json': 'What each run changed.',
};

export function renderSources(ctx: PageContext): SafeHtml {
  const { model } = ctx;
  const files = model.downloads;
  return html`<h1>Sources and downloads</h1>
${freshnessBanner(model)}
<h2>Sources</h2>
<div class="table-wrap" role="region" aria-label="Sources" tabindex="0"><table>
<thead><tr><th scope="col">Source</th><th scope="col">Kind</th><th scope="col">Freshness (as of ${model.asOf})</th><th scope="col">Last success</th><th scope="col">Stale after</th><th scope="col" class="num">Records</th><th scope="col">Parser state</th></tr></thead>
<tbody>${model.sources.map((s) => {
    const state = freshness(s, model.asOf);
    return html`<tr><th scope="row">${ctx.links.link(s.title, s.homepage)}</th><td>${s.kind}</td><td><span class="state state-${state}">${state}</span></td><td>${s.lastSuccess?.slice(0, 10) ?? 'never'}</td><td>${s.staleAfter ?? '—'}</td><td class="num">${s.recordCount}</td><td>${s.state ?? 'ok'}</td></tr>`;
  })}</tbody></table></div>
<h2>Downloads</h2>
<ul>${files.map((f) => html`<li><a href="${f}">${f}</a>${DESCRIPTIONS[f] ? html`: ${DESCRIPTIONS[f]}` : f.startsWith('schema/') ? ': JSON Schema (2020-12)' : ''}</li>`)}
${model.changelogMarkdown ? html`<li><a href="changelog.html">Changelog of the data format</a></li>` : ''}</ul>
<h2>How to consume this JSON</h2>
<p><code>companies.json</code> carries <code>schemaVersion</code> (semver: a major bump is a breaking change and gets a new folder), <code>asOf</code>, <code>generatedAt</code> (both move only when the content does), per-source freshness and one entry per company. The files are served with CORS allowed, so a page on any site can read them:</p>
<pre tabindex="0"><code>const res = await fetch('https://&lt;this site&gt;/companies.json');
const data = await res.json();
if (!data.schemaVersion.startsWith('1.')) throw new Error('unsupported schema ' + data.schemaVersion);
const active = data.companies.filter((c) =&gt; c.status === 'active');
const declined = data.companies.filter((c) =&gt;
  c.partnership.some((p) =&gt; p.status === 'declined' &amp;&amp; p.until === null));
console.log(data.asOf, active.map((c) =&gt; c.name));</code></pre>
<p>Reseller-channel figures (<code>ice.resellerChannel</code>) are lower bounds (<code>isLowerBound: true</code>): they count awards bought through a reseller whose description names the company's products.</p>
<h2>Embed a list on your site</h2>
<p>Paste one of these into your page. The frame is a page of this site, with no script; it shows the list as of the last run.</p>
<pre tabindex="0"><code>&lt;iframe src="https://&lt;this site&gt;/embed/declined.html" title="Companies we declined" width="100%" height="400"&gt;&lt;/iframe&gt;</code></pre>
<p>Lists: ${raw(['active', 'declined', 'past-partner', 'ended', 'watchdog-only'].map((l) => `<a href="embed/${l}.html"><code>${l}</code></a>`).join(', '))}. Or, with the data read live into your own markup:</p>
<pre tabindex="0"><code>&lt;script type="module" src="https://&lt;this site&gt;/assets/embed.js"&gt;&lt;/script&gt;
&lt;icewatch-list list="declined" heading="Companies we declined"&gt;&lt;/icewatch-list&gt;</code></pre>`;
}

export function renderChangelog(markdown: string): SafeHtml {
  // Our own file, but rendered with raw HTML off all the same: nothing in it becomes markup but Markdown.
  const md = new MarkdownIt({ html: false, linkify: false });
  return html`${raw(md.render(markdown))}`;
}
