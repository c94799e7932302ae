/**
 * Atom 1.0 (RFC 4287) feeds, written with fast-xml-parser's builder (it escapes text and attributes).
 * A feed always carries the required id, title, updated, author and a self link; every entry an id,
 * title, updated, an alternate link and its text. Ids are tag: URIs (RFC 4151) built from what the entry
 * is about, never from when it was written, so a rerun produces the same ids and the same bytes.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { toPlainText } from '../util/sanitize.ts';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** The Pages root: v1/ and site/ are deployed into one folder, so feeds sit at /<file>. */
export const SITE_BASE_URL = 'https://icewatch.github.io/icewatch/';
/** tag: authority and date (RFC 4151): fixed for the project's lifetime, never the date of an entry. */
const TAG_PREFIX = 'tag:icewatch.github.io,2026:';

export function tagId(...segments: string[]): string {
  return TAG_PREFIX + segments.map((s) => encodeURIComponent(s)).join('/');
}

export interface AtomEntry {
  id: string;
  title: string;
  /** YYYY-MM-DD or a full ISO timestamp. */
  updated: string;
  link: string;
  summary: string;
  /** Lines of plain text for the entry's content. */
  content?: string[];
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string;
  selfUrl: string;
  alternateUrl: string;
  entries: AtomEntry[];
  /** Used as the feed's updated when it has no entries (a new, empty feed). */
  emptyUpdated: string;
}

export function atomTimestamp(date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// XML 1.0 cannot carry most control characters at all; bidi overrides would make a title lie.
const text = (value: string, limit = 2000) => toPlainText(value, limit);

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

export function renderAtom(feed: AtomFeed): string {
  const updated = feed.entries.map((e) => atomTimestamp(e.updated)).sort().pop() ?? atomTimestamp(feed.emptyUpdated);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': ATOM_NS,
      id: feed.id,
      title: text(feed.title, 300),
      ...(feed.subtitle ? { subtitle: text(feed.subtitle, 1000) } : {}),
      updated,
      author: { name: 'icewatch', uri: 'https://github.com/icewatch/icewatch' },
      link: [
        { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': feed.selfUrl },
        { '@_rel': 'alternate', '@_href': feed.alternateUrl },
      ],
      generator: 'icewatch',
      entry: feed.entries.map((e) => ({
        id: e.id,
        title: text(e.title, 300),
        updated: atomTimestamp(e.updated),
        link: { '@_rel': 'alternate', '@_href': e.link },
        summary: { '@_type': 'text', '#text': text(e.summary) },
        ...(e.content?.length ? { content: { '@_type': 'text', '#text': e.content.map((l) => text(l)).join('\n') } } : {}),
      })),
    },
  };
  return `${(builder.build(doc) as string).trim()}\n`;
}
