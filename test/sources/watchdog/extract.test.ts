import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchContext } from '../../../scripts/sources/types.ts';
import {
  detectFormat,
  fetchPage,
  findSections,
  headingIs,
  headingKey,
  leadBlocks,
  loadPage,
  readEntry,
  runsText,
  type ListBlock,
  type TableBlock,
} from '../../../scripts/sources/watchdog/extract.ts';
import { SourceFormatError, SourceUnavailableError } from '../../../scripts/util/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../scripts/util/http.ts';
import { markupToPlainText, stripMarkup } from '../../../scripts/util/sanitize.ts';

describe('detectFormat', () => {
  it('trusts the Content-Type first', () => {
    expect(detectFormat('# Title', 'text/html; charset=utf-8')).toBe('html');
    expect(detectFormat('<html><body></body></html>', 'text/markdown')).toBe('markdown');
  });

  it('sniffs documents and fragments', () => {
    expect(detectFormat('\uFEFF  <!DOCTYPE html><html>')).toBe('html');
    expect(detectFormat('<main><h1>x</h1></main>')).toBe('html');
    expect(detectFormat('---\ntitle: x\n---\n# y')).toBe('markdown');
    expect(detectFormat('## Heading\n\n- item')).toBe('markdown');
    // Starts like HTML but uses Markdown block syntax: Markdown that opens with inline HTML.
    expect(detectFormat('<p>intro</p>\n\n## Heading\n- a')).toBe('markdown');
  });
});

describe('loadPage', () => {
  const markdown = [
    '---',
    'title: "A Page"',
    'tags: [x]',
    '---',
    '',
    '## Section',
    '',
    '- [One](https://example.com/1)',
    '- Two (a note)',
    '',
    '### Sub',
    '',
    '1. Three',
    '',
    '## Other',
    '',
    '| N | $ |',
    '| - | - |',
    '| A | $1 |',
  ].join('\n');

  it('reads front matter title, headings, lists and tables with source lines', () => {
    const page = loadPage(markdown);
    expect(page.format).toBe('markdown');
    expect(page.titles).toEqual(['A Page']);
    expect(page.blocks.map((b) => [b.kind, b.line])).toEqual([
      ['heading', 6],
      ['list', 8],
      ['heading', 11],
      ['list', 13],
      ['heading', 15],
      ['table', 17],
    ]);
    const list = page.blocks[1] as ListBlock;
    expect(list.items.map((i) => i.line)).toEqual([8, 9]);
    expect(list.items[0]!.runs).toEqual([{ text: 'One', href: 'https://example.com/1' }]);
    const table = page.blocks[5] as TableBlock;
    expect(table.rows.map((r) => [r.head, r.line, r.cells.map((c) => runsText(c.runs))])).toEqual([
      [true, 17, ['N', '$']],
      [false, 19, ['A', '$1']],
    ]);
  });

  it('cuts sections at the next heading of the same or a higher level', () => {
    const page = loadPage(markdown);
    const [section] = findSections(page.blocks, headingIs('section'));
    expect(section!.heading.text).toBe('Section');
    expect(section!.blocks.map((b) => b.kind)).toEqual(['list', 'heading', 'list']);
    expect(leadBlocks(section!).map((b) => b.kind)).toEqual(['list']);
    expect(findSections(page.blocks, headingIs('SUB'))[0]!.blocks.map((b) => b.kind)).toEqual(['list']);
  });

  it('reads HTML: titles from h1, og:title and <title>; skips nav, aside, footer and scripts; resolves links', () => {
    const html = `<!doctype html><html><head><title>Site | Page</title><meta property="og:title" content="Page OG"></head>
<body><nav><ul><li><a href="/x">Nav</a></li></ul></nav>
<div class="content"><section><h1>Page</h1><h2>List <a href="#list">¶</a></h2>
<ul><li><p><a href="/rel">Rel</a> and <b>bold</b></p><ul><li>nested</li></ul></li></ul></section></div>
<aside><ul><li>Side</li></ul></aside><footer><ul><li>Foot</li></ul></footer><script>var x = '<ul><li>x</li></ul>'</script></body></html>`;
    const page = loadPage(html, { baseUrl: 'https://example.org/page/' });
    expect(page.format).toBe('html');
    expect(page.titles).toEqual(['Page', 'Page OG', 'Site | Page']);
    expect(page.blocks.map((b) => b.kind)).toEqual(['heading', 'heading', 'list']);
    expect(page.blocks[1]).toMatchObject({ kind: 'heading', level: 2, text: 'List', line: 3 });
    const list = page.blocks[2] as ListBlock;
    expect(list.items).toHaveLength(1);
    expect(runsText(list.items[0]!.runs)).toBe('Rel and bold');
    expect(list.items[0]!.runs[0]).toEqual({ text: 'Rel', href: 'https://example.org/rel' });
    expect(list.items[0]!.line).toBe(4);
  });

  it('keeps raw HTML in Markdown as inert text (markdown-it html: false)', () => {
    const page = loadPage('## L\n\n- <b>x</b> <script>alert(1)</script>\n');
    const list = page.blocks[1] as ListBlock;
    expect(runsText(list.items[0]!.runs)).toBe('<b>x</b> <script>alert(1)</script>');
    expect(list.items[0]!.runs.every((r) => r.href === undefined)).toBe(true);
  });

  it('drops an unsafe Markdown link to literal text, which stripMarkup then reduces to its label', () => {
    const page = loadPage('## L\n\n- [Evil](javascript:alert(1))\n');
    const list = page.blocks[1] as ListBlock;
    expect(runsText(list.items[0]!.runs)).toBe('[Evil](javascript:alert(1))');
    expect(markupToPlainText(runsText(list.items[0]!.runs))).toBe('Evil');
  });
});

describe('headingKey', () => {
  it('ignores case, accents, punctuation and spacing', () => {
    expect(headingKey('  Never  Reached-Out! ')).toBe('never reached out');
    expect(headingKey('Compañías & ICE')).toBe('companias and ice');
  });
});

describe('readEntry', () => {
  const link = (text: string, href: string) => ({ text, href });

  it('takes a linked name with its link', () => {
    expect(readEntry([link('Accenture', 'https://a.example/')])).toEqual({ name: 'Accenture', links: [link('Accenture', 'https://a.example/')], noteLinks: [] });
  });

  it('splits a trailing bracketed note, links inside it stay with the note', () => {
    expect(readEntry([{ text: 'Computer Projects Of Illinois (AKA ' }, link('OpenFox', 'https://www.openfox.com/'), { text: ')' }])).toEqual({
      name: 'Computer Projects Of Illinois',
      note: 'AKA OpenFox',
      aliases: ['OpenFox'],
      links: [],
      noteLinks: [link('OpenFox', 'https://www.openfox.com/')],
    });
  });

  it('leaves brackets inside a name alone', () => {
    expect(readEntry([{ text: 'Getty Images (US) Inc' }])).toEqual({ name: 'Getty Images (US) Inc', links: [], noteLinks: [] });
  });

  it('treats numbered links after a name as references, not name text', () => {
    expect(readEntry([{ text: 'Jamf ' }, link('1', 'https://u.example/1'), { text: ', ' }, link('[2]', 'https://u.example/2')])).toEqual({
      name: 'Jamf',
      links: [link('1', 'https://u.example/1'), link('[2]', 'https://u.example/2')],
      noteLinks: [],
    });
  });

  it('takes "[Source](url)" after a note as evidence, and drops a trailing unclosed "["', () => {
    expect(readEntry([{ text: 'Acme, Inc. (note …)' }, link('Source', 'https://s.example/')])).toEqual({
      name: 'Acme, Inc.',
      note: 'note …',
      links: [link('Source', 'https://s.example/')],
      noteLinks: [],
    });
    expect(readEntry([{ text: 'Acme (a note) [' }])).toEqual({ name: 'Acme', note: 'a note', links: [], noteLinks: [] });
    expect(readEntry([{ text: 'Acme [Source' }])).toEqual({ name: 'Acme', links: [], noteLinks: [] });
  });

  it('makes prose after the name a note: dash, colon, ", which"', () => {
    expect(readEntry([{ text: 'Acme — builds the case system' }])).toMatchObject({ name: 'Acme', note: 'builds the case system' });
    expect(readEntry([{ text: 'Acme: data broker' }])).toMatchObject({ name: 'Acme', note: 'data broker' });
    expect(readEntry([{ text: 'Acme, which sells drones' }])).toMatchObject({ name: 'Acme', note: 'which sells drones' });
    // Hyphens inside names and separators inside brackets are not prose.
    expect(readEntry([{ text: 'Cisco-Eagle' }]).name).toBe('Cisco-Eagle');
    expect(readEntry([{ text: 'Acme (Cloud - Gov)' }])).toMatchObject({ name: 'Acme', note: 'Cloud - Gov' });
  });

  it('reads the other names an author gives as aliases', () => {
    expect(readEntry([{ text: 'Axon (formerly TASER International)' }]).aliases).toEqual(['TASER International']);
    expect(readEntry([{ text: 'Acme (a.k.a. Acme Gov / AcmeX)' }]).aliases).toEqual(['Acme Gov', 'AcmeX']);
    expect(readEntry([{ text: 'Acme (a note)' }]).aliases).toBeUndefined();
  });

  it('does not make a note of a name that is all brackets', () => {
    expect(readEntry([{ text: '(Unnamed)' }]).name).toBe('(Unnamed)');
  });
});

describe('stripMarkup / markupToPlainText', () => {
  it('removes tags, script and style bodies, comments, and Markdown link syntax', () => {
    expect(stripMarkup('a<script type="x">evil()</script>b')).toBe('a b');
    expect(stripMarkup('<style>x{}</style><b>Bold</b> <!-- c --> [label](https://x.example/(a)) ![alt](i.png) [ref][1]').replace(/\s+/g, ' ').trim()).toBe(
      'Bold label alt ref',
    );
    expect(markupToPlainText('[Evil<script>alert(1)</script>](javascript:alert(1))')).toBe('Evil');
  });

  it('caps huge input before doing any work', () => {
    const huge = `${'<b>'.repeat(10)}${'A'.repeat(1024 * 1024)}`;
    const started = performance.now();
    const out = markupToPlainText(huge, 50);
    expect(out).toBe(`${'A'.repeat(49)}…`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('fetchPage', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  function fakeHttp(responses: Record<string, HttpResponse | Error>, seen: HttpRequest[]): HttpClient {
    return {
      async request(req) {
        seen.push(req);
        const answer = responses[req.url];
        if (!answer) throw new Error(`unexpected ${req.url}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      async json() {
        throw new Error('not used');
      },
      async download() {
        throw new Error('not used');
      },
    };
  }

  async function context(http: HttpClient, log: string[]): Promise<FetchContext> {
    const workDir = await mkdtemp(join(tmpdir(), 'icewatch-extract-'));
    dirs.push(workDir);
    return { http, workDir, now: new Date('2026-03-01T00:00:00Z'), log: (m) => log.push(m) };
  }

  const ok = (url: string, body: string, contentType: string): HttpResponse => ({ status: 200, url, headers: { 'content-type': contentType }, body: Buffer.from(body) });

  it('falls back to the next copy when one is unavailable, and records where the body came from', async () => {
    const seen: HttpRequest[] = [];
    const log: string[] = [];
    const http = fakeHttp(
      {
        'https://a.example/page': new SourceUnavailableError('t', 'HTTP 404', { status: 404 }),
        'https://b.example/page.md': ok('https://b.example/page.md', '# good', 'text/plain; charset=utf-8'),
      },
      seen,
    );
    const ctx = await context(http, log);
    const input = await fetchPage(ctx, 't', [
      { url: 'https://a.example/page', accept: 'text/html' },
      { url: 'https://b.example/page.md', accept: 'text/plain' },
    ], (text) => text.includes('good'), 'page');
    expect(seen.map((r) => [r.url, r.headers?.accept])).toEqual([
      ['https://a.example/page', 'text/html'],
      ['https://b.example/page.md', 'text/plain'],
    ]);
    expect(input).toEqual({
      path: join(ctx.workDir, 'page.1'),
      origin: 'https://b.example/page.md',
      retrievedAt: '2026-03-01T00:00:00.000Z',
      status: 200,
      contentType: 'text/plain; charset=utf-8',
    });
    expect(await readFile(input.path, 'utf8')).toBe('# good');
    expect(log[0]).toContain('https://a.example/page unavailable');
  });

  it('skips a copy without the landmarks but returns it when no copy has them, so the parser can say what is missing', async () => {
    const seen: HttpRequest[] = [];
    const http = fakeHttp(
      {
        'https://a.example/page': ok('https://a.example/page', '<h1>redesigned</h1>', 'text/html'),
        'https://b.example/page.md': new SourceUnavailableError('t', 'HTTP 503'),
      },
      seen,
    );
    const ctx = await context(http, []);
    const input = await fetchPage(ctx, 't', [
      { url: 'https://a.example/page', accept: 'text/html' },
      { url: 'https://b.example/page.md', accept: 'text/plain' },
    ], () => false, 'page');
    expect(input.origin).toBe('https://a.example/page');
    expect(await readFile(input.path, 'utf8')).toBe('<h1>redesigned</h1>');
  });

  it('throws the first failure when no copy answers, and never swallows a refused host', async () => {
    const first = new SourceUnavailableError('t', 'HTTP 500 from a');
    const ctx = await context(fakeHttp({ 'https://a.example/page': first, 'https://b.example/page.md': new SourceUnavailableError('t', 'b') }, []), []);
    await expect(
      fetchPage(ctx, 't', [
        { url: 'https://a.example/page', accept: '*/*' },
        { url: 'https://b.example/page.md', accept: '*/*' },
      ], () => true, 'page'),
    ).rejects.toBe(first);

    const refused = new SourceFormatError('t', 'refusing evil.example: host not in the allowlist');
    const ctx2 = await context(fakeHttp({ 'https://a.example/page': refused }, []), []);
    await expect(fetchPage(ctx2, 't', [{ url: 'https://a.example/page', accept: '*/*' }, { url: 'https://b.example/page.md', accept: '*/*' }], () => true, 'page')).rejects.toBe(refused);
  });
});
