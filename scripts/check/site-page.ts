/**
 * The site's check page: check.html (complete without JavaScript: it says what the page does and where the
 * CLI is), assets/check.css, and assets/check.js, the browser entry bundled by esbuild with the checker, the matcher and
 * the CSV parser inside. Built at publish time from the source, deterministically: same source and pinned
 * esbuild version → same bytes. No third-party origin, no inline script or style (strict CSP).
 */
import { join } from 'node:path';
import { CSP } from '../site/layout.ts';
import { IcewatchError } from '../util/errors.ts';
import { forLog } from '../util/sanitize.ts';
import { repoRoot } from '../util/repo-root.ts';

/** The site's own policy: the check page is one of its pages. */
export const CHECK_PAGE_CSP = CSP;

/** Packages (and the aliases below) resolve from the repository, whatever directory the CLI runs in. */
const REPO_ROOT = repoRoot();
const ENTRY = join(REPO_ROOT, 'scripts', 'check', 'browser.ts');

let bundled: Promise<string> | undefined;

/** The built CLI (scripts/build.mjs) carries the script, bundled by this very function at build time. */
declare const ICEWATCH_CHECK_SCRIPT: string | undefined;

/** Bundled once per process: the source does not change while it runs. */
export function bundleCheckScript(): Promise<string> {
  bundled ??= typeof ICEWATCH_CHECK_SCRIPT === 'string' ? Promise.resolve(ICEWATCH_CHECK_SCRIPT) : bundle();
  bundled.catch(() => (bundled = undefined));
  return bundled;
}

async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    // A classic script (no module syntax), so it loads like the site's other scripts: <script src defer>.
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    sourcemap: false,
    logLevel: 'silent',
    // The Node builds of csv-parse/csv-stringify use Buffer; the browser builds of the same versions do not.
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync', 'csv-stringify/sync': 'csv-stringify/browser/esm/sync' },
  }).catch((error: Error) => {
    throw new IcewatchError(`cannot bundle the check page (scripts/check/browser.ts): ${forLog(error.message, 400)}; run \`npm ci\` in the repository`);
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output for the check page');
  return out.text;
}

export function renderCheckHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CHECK_PAGE_CSP}">
<meta name="referrer" content="no-referrer">
<title>Check a partner list — icewatch</title>
<link rel="stylesheet" href="assets/check.css">
<script src="assets/check.js" defer></script>
</head>
<body>
<header>
<p><a href="index.html">icewatch</a></p>
</header>
<main id="main">
${renderCheckMain()}</main>
</body>
</html>
`;
}

/**
 * The page's content without the shell, for a site layout to wrap (it needs assets/check.js loaded and
 * companies.json and check-index.json beside the page).
 */
export function renderCheckMain(): string {
  return `<h1>Check a partner list</h1>
<p>Paste sponsor or partner names (one per line), or choose a CSV with a <code>name</code> column (optional
<code>website</code> and <code>uei</code> columns). Each name is matched to the registry of companies with U.S. ICE contracts,
in this browser: nothing you enter leaves the page. Published data as of <span id="check-data-as-of">(loading)</span>.</p>
<noscript><p>This check runs in the browser and needs JavaScript. Without it, run the same check with
<code>npm run --silent icewatch -- check --file names.csv</code>, or read the <a href="companies.json">published registry</a>.</p></noscript>
<form id="check-form">
<p><label for="check-names">Names, one per line, or CSV text (you can drop a file here)</label><br>
<textarea id="check-names" name="names" rows="10" cols="60" spellcheck="false" autocomplete="off"></textarea></p>
<p><label for="check-file">Or choose a file (.csv or .txt)</label>
<input id="check-file" name="file" type="file" accept=".csv,.txt,text/csv,text/plain"></p>
<p><label for="check-as-of">Status as of</label>
<input id="check-as-of" name="as-of" type="date"></p>
<p><button type="submit">Check</button></p>
</form>
<p id="check-status" role="status" aria-live="polite">Loading the published data…</p>
<section id="check-results" hidden aria-labelledby="check-results-title">
<h2 id="check-results-title">Results</h2>
<p id="check-summary"></p>
<p>“No record” means no ICE record was found in these sources. It is not a clearance. A “possible match — check”
is a resemblance only, never a verdict: look at the registry entry before deciding.</p>
<p><a id="check-download-csv" download="icewatch-check.csv" hidden>Download CSV</a>
<a id="check-download-json" download="icewatch-check.json" hidden>Download JSON</a></p>
<div class="table-wrap">
<table>
<caption>Each name with the registry company it matched, its status and the deciding evidence</caption>
<thead><tr><th scope="col">Line</th><th scope="col">Name</th><th scope="col">Registry company</th><th scope="col">Status</th><th scope="col">Confidence</th><th scope="col">Evidence</th></tr></thead>
<tbody id="check-rows"></tbody>
</table>
</div>
</section>
`;
}

export const CHECK_CSS = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:72rem;padding:1rem;color:#111;background:#fff}
a{color:#0645ad}
textarea{width:100%;max-width:100%;box-sizing:border-box;font:inherit}
button{font:inherit;padding:.4rem 1rem}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top}
td p{margin:0}
td ul{margin:.2rem 0 0;padding-left:1.2rem}
tr.attention td.status{font-weight:700;background:#fff3cd}
`;

/** The files of the check page, relative to the site folder (data/published/site). */
export async function renderCheckSite(siteDir: string): Promise<Array<{ path: string; content: string }>> {
  return [
    { path: join(siteDir, 'check.html'), content: renderCheckHtml() },
    { path: join(siteDir, 'assets', 'check.css'), content: CHECK_CSS },
    { path: join(siteDir, 'assets', 'check.js'), content: await bundleCheckScript() },
  ];
}
