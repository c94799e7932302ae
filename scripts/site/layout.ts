/**
 * The page shell every page shares: a strict Content-Security-Policy (scripts and styles only from the
 * site's own files, nothing from another origin, no inline code), the navigation, and the footer.
 * Pages are added by listing them in NAV (for the menu) and in render-site.ts (for the file).
 */
import { html, raw, type SafeHtml } from './html.ts';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export interface NavEntry {
  /** Path from the site root, e.g. "changes.html". */
  path: string;
  label: string;
}

/** The menu, in order. Another page joins it with one entry here. */
export const NAV: NavEntry[] = [
  { path: 'index.html', label: 'Companies' },
  { path: 'changes.html', label: 'Changes' },
  { path: 'sources.html', label: 'Sources & downloads' },
  { path: 'check.html', label: 'Check a list' },
];

export interface PageOptions {
  /** This page's path from the site root; decides the relative prefix of every link. */
  path: string;
  title: string;
  body: SafeHtml;
  /** Site scripts to load (deferred, from assets/). */
  scripts?: string[];
  /** Pages meant to be framed by other sites carry no menu. */
  bare?: boolean;
  description?: string;
}

/** "../" for each folder level of `path`, so the site works from any folder it is deployed to. */
export function rootOf(path: string): string {
  return '../'.repeat(path.split('/').length - 1);
}

export function page(options: PageOptions): string {
  const root = rootOf(options.path);
  const nav = options.bare
    ? html``
    : html`<header class="site-header"><a class="skip" href="#main">Skip to content</a><nav aria-label="Site"><a class="brand" href="${root}index.html">icewatch</a><ul>${NAV.map(
        (n) =>
          html`<li><a href="${root}${n.path}"${n.path === options.path ? raw(' aria-current="page"') : raw('')}>${n.label}</a></li>`,
      )}</ul></nav></header>`;
  const scripts = (options.scripts ?? []).map((s) => html`<script src="${root}assets/${s}" defer></script>`);
  const footer = options.bare
    ? html``
    : html`<footer class="site-footer"><p>Data: <a href="${root}companies.json">companies.json</a> · <a href="${root}sources.html">sources and downloads</a>. Every claim links to its evidence; "no ICE record found" means none in these sources, not that a company is clean.</p></footer>`;
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · icewatch</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
<link rel="icon" href="${root}assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${root}assets/site.css">
${scripts}
</head>
<body${options.bare ? raw(' class="bare"') : raw('')}>
${nav}
<main id="main" tabindex="-1">
${options.body}
</main>
${footer}
</body>
</html>
`;
  return doc.value;
}
