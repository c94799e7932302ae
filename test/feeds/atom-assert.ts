/**
 * Structural validation of an Atom 1.0 document against RFC 4287's requirements: well-formed XML in the
 * Atom namespace; the feed has exactly one id, title and updated, an author (or every entry has one), a
 * rel="self" link; each entry exactly one id, title and updated, and an alternate link or content; ids are
 * absolute IRIs (tag:), unique; dates are RFC 3339; `updated` of the feed is the newest entry's.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const textOf = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : String(v ?? ''));

export function assertAtom(xml: string): { entryIds: string[]; updated: string } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['entry', 'link', 'author'].includes(name) }).parse(xml) as Node;
  const feed = doc.feed as Node;
  expect(feed, 'root element is atom:feed').toBeDefined();
  expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
  for (const required of ['id', 'title', 'updated']) {
    expect(feed[required], `feed has ${required}`).toBeDefined();
    expect(Array.isArray(feed[required]), `feed has one ${required}`).toBe(false);
  }
  expect(textOf(feed.id)).toMatch(/^tag:[a-z0-9.-]+,\d{4}:\S+$/);
  expect(textOf(feed.updated)).toMatch(RFC3339);
  const links = list(feed.link);
  expect(links.filter((l) => l['@_rel'] === 'self')).toHaveLength(1);
  expect(links.every((l) => /^https:\/\//.test(String(l['@_href'])))).toBe(true);
  const entries = list(feed.entry);
  const feedHasAuthor = list(feed.author).some((a) => textOf(a.name) !== '');
  const ids: string[] = [];
  for (const entry of entries) {
    for (const required of ['id', 'title', 'updated']) {
      expect(entry[required], `entry has ${required}`).toBeDefined();
      expect(Array.isArray(entry[required])).toBe(false);
    }
    expect(textOf(entry.id)).toMatch(/^tag:[a-z0-9.-]+,\d{4}:\S+$/);
    expect(textOf(entry.updated)).toMatch(RFC3339);
    expect(feedHasAuthor || list(entry.author).length > 0, 'an author for every entry').toBe(true);
    const alternate = list(entry.link).some((l) => (l['@_rel'] ?? 'alternate') === 'alternate');
    expect(alternate || entry.content !== undefined, 'entry has an alternate link or content').toBe(true);
    ids.push(textOf(entry.id));
  }
  expect(new Set(ids).size, 'entry ids are unique').toBe(ids.length);
  const newest = entries.map((e) => textOf(e.updated)).sort().pop();
  if (newest) expect(textOf(feed.updated)).toBe(newest);
  return { entryIds: ids, updated: textOf(feed.updated) };
}
