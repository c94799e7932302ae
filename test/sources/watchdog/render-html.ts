/**
 * Builds the HTML page a static site generator would serve for a Markdown source: the front matter title
 * as <title> and <h1>, the body rendered by markdown-it, wrapped in site chrome (a nav menu and footer
 * with their own lists). Tests parse both forms and expect the same records.
 */
import markdownit from 'markdown-it';
import { parse as parseYaml } from 'yaml';

export function renderSitePage(markdown: string, siteName: string): string {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(markdown);
  const data = front ? (parseYaml(front[1] ?? '') as { title?: string }) : {};
  const body = front ? markdown.slice(front[0].length) : markdown;
  const title = data.title ?? '';
  const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const content = markdownit({ html: false }).render(body);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escaped} | ${siteName}</title>
<script>document.documentElement.className = 'js';</script>
</head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/about/">About</a></li><li><a href="https://example.com/sponsor">Sponsor</a></li></ul></nav></header>
<main>
<article>
<h1>${escaped}</h1>
${content}
</article>
</main>
<footer><ul><li><a href="/contact/">Contact</a></li><li><a href="https://example.com/privacy">Privacy</a></li></ul></footer>
</body>
</html>
`;
}
