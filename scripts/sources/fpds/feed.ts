/**
 * One page of the FPDS ATOM feed: its paging links and its entries, each entry's FPDS payload in
 * plain-object form for the zod schemas. A page that is not an Atom feed is a SourceFormatError (the
 * whole page is unusable); an entry without a recognisable FPDS payload is reported per entry.
 */
import { SourceFormatError } from '../../util/errors.ts';
import {
  ATOM_NS,
  FPDS_NAMESPACES,
  XmlSyntaxError,
  childElement,
  childElements,
  clarkName,
  isElement,
  parseXmlDocument,
  toPlain,
} from './xml.ts';
import type { XmlPlain } from './xml.ts';

export const FPDS_SOURCE_ID = 'fpds';

/** The FPDS payload kinds this source understands (Other Transaction awards are out of scope). */
export type FpdsContentType = 'award' | 'IDV';

export interface FeedLinks {
  next?: string;
  last?: string;
  first?: string;
  previous?: string;
  alternate?: string;
}

export interface FeedEntry {
  /** 0-based position on the page. */
  index: number;
  title?: string;
  /** Atom `modified` as written (FPDS: "YYYY-MM-DD HH:MM:SS"). */
  modified?: string;
  contentType?: FpdsContentType;
  /** The FPDS payload (award or IDV element) with prefixes normalized. */
  content?: XmlPlain;
  /** Why the entry has no usable content, when it has none. */
  problem?: { field: string; message: string };
}

export interface FeedPage {
  title?: string;
  links: FeedLinks;
  entries: FeedEntry[];
}

const LINK_RELS = new Set<keyof FeedLinks>(['next', 'last', 'first', 'previous', 'alternate']);

export function readFeedPage(text: string, file: string): FeedPage {
  let root;
  try {
    root = parseXmlDocument(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new SourceFormatError(FPDS_SOURCE_ID, `not an ATOM feed: ${error.message}`, {
        file,
        path: 'feed',
        ...(error.line === undefined ? {} : { line: error.line }),
      });
    }
    throw error;
  }
  if (!isElement(root, ATOM_NS, 'feed')) {
    throw new SourceFormatError(FPDS_SOURCE_ID, `not an ATOM feed: root element is ${clarkName(root)}, expected {${ATOM_NS}}feed`, {
      file,
      path: 'feed',
    });
  }

  const links: FeedLinks = {};
  for (const link of childElements(root, ATOM_NS, 'link')) {
    const rel = (link.attrs.rel ?? 'alternate') as keyof FeedLinks;
    const href = link.attrs.href?.trim();
    // The first link of each relation wins; a feed repeating rel=next is not something to guess about.
    if (LINK_RELS.has(rel) && href && links[rel] === undefined) links[rel] = href;
  }

  const entries = childElements(root, ATOM_NS, 'entry').map((entry, index): FeedEntry => {
    const title = childElement(entry, ATOM_NS, 'title')?.text.trim() || undefined;
    const modified = childElement(entry, ATOM_NS, 'modified')?.text.trim() || undefined;
    const base = { index, ...(title ? { title } : {}), ...(modified ? { modified } : {}) };
    const content = childElement(entry, ATOM_NS, 'content');
    if (!content) return { ...base, problem: { field: 'content', message: 'entry has no Atom content element' } };
    const payload = content.children;
    if (payload.length !== 1 || !payload[0]) {
      return { ...base, problem: { field: 'content', message: `expected one FPDS element in content, found ${payload.length}` } };
    }
    const element = payload[0];
    if (element.ns === undefined || !FPDS_NAMESPACES.includes(element.ns)) {
      return {
        ...base,
        problem: { field: `content/${element.name}`, message: `${clarkName(element)} is not in the FPDS namespace (${FPDS_NAMESPACES.join(' or ')})` },
      };
    }
    if (element.name !== 'award' && element.name !== 'IDV') {
      return { ...base, problem: { field: `content/${element.name}`, message: `unsupported FPDS content type ${element.name} (expected award or IDV)` } };
    }
    return { ...base, contentType: element.name, content: toPlain(element, FPDS_NAMESPACES) };
  });

  const title = childElement(root, ATOM_NS, 'title')?.text.trim() || undefined;
  return { ...(title ? { title } : {}), links, entries };
}
