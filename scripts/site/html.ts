/**
 * HTML built only through `html` templates: every interpolated value is escaped unless it is already
 * SafeHtml, so outside text (names, descriptions, titles from watchdog pages) can never become markup.
 * Text is also reduced to plain text first (no controls, no bidi overrides, capped), and links pass an
 * https-only host allowlist.
 */
import { toPlainText } from '../util/sanitize.ts';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | ReadonlyArray<Value>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape for text and (quoted) attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]!);
}

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // Strings are outside text until proven otherwise: cleaned and escaped.
  if (typeof value === 'string') {
    // Cleaning trims; a space the template put around a value is layout, and kept.
    const text = clean(value, 100_000);
    const lead = text && /^\s/.test(value) ? ' ' : '';
    const trail = text && /\s$/.test(value) ? ' ' : '';
    return escapeHtml(`${lead}${text}${trail}`);
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

export function join(parts: ReadonlyArray<SafeHtml>, separator = ''): SafeHtml {
  return new SafeHtml(parts.map((p) => p.value).join(separator));
}

/** Plain, visible text: controls, bidi and zero-width characters removed, whitespace folded, capped. */
export function clean(text: string | null | undefined, limit = 300): string {
  return text ? toPlainText(text, limit) : '';
}

/**
 * Hosts the site links to: the data sources, and the hosts of links the registry's maintainers curated
 * (evidence, partnership sources, websites), collected by the caller. A watchdog page's own link to
 * anywhere else is shown as text, not as a link.
 */
export const BASE_LINK_HOSTS = [
  'www.usaspending.gov',
  'usaspending.gov',
  'api.usaspending.gov',
  'files.usaspending.gov',
  'www.fpds.gov',
  'techqueria.org',
  'www.techqueria.org',
  'companies-that-work-with-ice.com',
  'www.companies-that-work-with-ice.com',
  'techworkerscoalition.org',
  'www.techworkerscoalition.org',
  'github.com',
  'raw.githubusercontent.com',
];

export class LinkPolicy {
  private readonly hosts: Set<string>;
  constructor(hosts: Iterable<string>) {
    this.hosts = new Set([...BASE_LINK_HOSTS, ...hosts].map((h) => h.toLowerCase()));
  }

  /** The normalized URL when it is https: to an allowed host, with no credentials; else undefined. */
  href(input: string | null | undefined): string | undefined {
    if (!input || input.length > 2048) return undefined;
    let url: URL;
    try {
      url = new URL(input.trim());
    } catch {
      return undefined;
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.port) return undefined;
    if (!this.hosts.has(url.hostname.toLowerCase())) return undefined;
    return url.toString();
  }

  /** An external link, or the label alone when the URL is not allowed. */
  link(label: string, url: string | null | undefined, limit = 300): SafeHtml {
    const href = this.href(url);
    const text = clean(label, limit) || clean(url, 120);
    if (!href) return html`${text}`;
    return html`<a href="${raw(escapeHtml(href))}" rel="noopener noreferrer external">${text}</a>`;
  }

  static hostOf(url: string | null | undefined): string | undefined {
    if (!url) return undefined;
    try {
      const u = new URL(url);
      return u.protocol === 'https:' ? u.hostname.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  }
}
