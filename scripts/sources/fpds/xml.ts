/**
 * Namespace-aware XML reading for the FPDS ATOM feed.
 *
 * FPDS pages put the award in `ns1:` on some feeds, in a default namespace on others, and older
 * clients saw the legacy fpdsng.com namespace. fast-xml-parser's `removeNSPrefix` strips prefixes but
 * also drops the xmlns declarations, which would leave no way to tell an FPDS `award` from an element
 * that merely has the same local name. So the raw tree is parsed with prefixes intact, each element is
 * resolved to (namespace URI, local name) from the declarations in scope, and only then are prefixes
 * dropped: elements in the expected namespaces get their bare local name, anything else is keyed
 * `{uri}local` so schema lookups by local name never see it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** Current FPDS namespace, and the fpdsng.com one used by older feed versions. */
export const FPDS_NAMESPACES: readonly string[] = ['https://www.fpds.gov/FPDS', 'http://www.fpdsng.com/FPDS'];

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlElement {
  /** Local name, prefix removed. */
  name: string;
  /** Namespace URI the prefix (or default namespace) resolved to; undefined for no namespace. */
  ns: string | undefined;
  /** Attributes by name as written (unprefixed attributes are in no namespace); xmlns declarations removed. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Identifiers such as DUNS "003062809" and PIID "0001" must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // Without this fast-xml-parser leaves numeric character references (&#201;) undecoded; they are
  // plain XML, and vendor names use them. (It also admits HTML named entities, which XML lacks.)
  htmlEntities: true,
});

/** FPDS payloads nest about eight deep; far past that is an attack or garbage, not a feed. */
export const MAX_ELEMENT_DEPTH = 64;

/** The text with comments and CDATA blanked (same length), so markup inside them cannot pass for tags. */
function blankOpaque(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (chunk) => chunk.replace(/[^\n]/g, ' '));
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Refuses what an ATOM feed never needs and an attacker does: any DOCTYPE (the only way to declare
 * entities, internal or external) and nesting deep enough to exhaust a recursive reader. Checked on the
 * raw text before any parser sees it, in one linear pass.
 */
function refuseHostileMarkup(text: string): void {
  const blanked = blankOpaque(text);
  const doctype = /<!DOCTYPE\b/i.exec(blanked);
  if (doctype) {
    const name = /<!DOCTYPE\s+([^\s[>]+)/i.exec(blanked.slice(doctype.index, doctype.index + 200))?.[1];
    throw new XmlSyntaxError(
      `it declares a DOCTYPE${name ? ` (${name.slice(0, 40)})` : ''}, which FPDS feeds never do; refused unread (no DTD or entity is ever processed)`,
      lineAt(text, doctype.index),
    );
  }
  const tag = /<(\/?)[A-Za-z_][^\s/>]*[^>]*?(\/?)>/g;
  let depth = 0;
  for (let match = tag.exec(blanked); match; match = tag.exec(blanked)) {
    if (match[1]) depth--;
    else if (!match[2]) {
      depth++;
      if (depth > MAX_ELEMENT_DEPTH) {
        throw new XmlSyntaxError(`elements are nested more than ${MAX_ELEMENT_DEPTH} deep; an FPDS entry needs about 8`, lineAt(text, match.index));
      }
    }
  }
}

/** Parses a document and returns its root element with namespaces resolved. */
export function parseXmlDocument(text: string): XmlElement {
  refuseHostileMarkup(text);
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    throw new XmlSyntaxError(`not well-formed XML: ${validation.err.msg}`, validation.err.line);
  }
  const nodes = parser.parse(text) as OrderedNode[];
  const roots = nodes.filter((node) => elementName(node) !== undefined);
  if (roots.length !== 1 || !roots[0]) throw new XmlSyntaxError(`expected one root element, found ${roots.length}`);
  return resolve(roots[0], new Map([['xml', XML_NS]]));
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && !key.startsWith('?') && !key.startsWith('!'));
}

function resolve(node: OrderedNode, inherited: Map<string, string>): XmlElement {
  const qname = elementName(node);
  if (qname === undefined) throw new XmlSyntaxError('expected an element');
  const rawAttrs = node[':@'] ?? {};
  let scope = inherited;
  const attrs: Record<string, string> = {};
  for (const [attrName, value] of Object.entries(rawAttrs)) {
    if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
      if (scope === inherited) scope = new Map(inherited);
      // xmlns="" undeclares the default namespace.
      scope.set(attrName === 'xmlns' ? '' : attrName.slice(6), String(value));
    } else {
      attrs[attrName] = String(value);
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const name = colon === -1 ? qname : qname.slice(colon + 1);
  const ns = scope.get(prefix) || undefined;
  if (prefix && ns === undefined) throw new XmlSyntaxError(`element ${qname} uses undeclared prefix ${prefix}`);

  const children: XmlElement[] = [];
  let text = '';
  const content = node[qname];
  if (Array.isArray(content)) {
    for (const child of content as OrderedNode[]) {
      if (elementName(child) !== undefined) children.push(resolve(child, scope));
      else if (typeof child['#text'] === 'string' || typeof child['#text'] === 'number') text += String(child['#text']);
    }
  }
  return { name, ns, attrs, children, text };
}

export function isElement(el: XmlElement, ns: string | readonly string[], name: string): boolean {
  return el.name === name && el.ns !== undefined && (typeof ns === 'string' ? el.ns === ns : ns.includes(el.ns));
}

export function childElements(el: XmlElement, ns: string | readonly string[], name: string): XmlElement[] {
  return el.children.filter((child) => isElement(child, ns, name));
}

export function childElement(el: XmlElement, ns: string | readonly string[], name: string): XmlElement | undefined {
  return el.children.find((child) => isElement(child, ns, name));
}

/** `{uri}local`, the usual way to write a namespaced name (Clark notation). */
export function clarkName(el: XmlElement): string {
  return `{${el.ns ?? ''}}${el.name}`;
}

/**
 * Plain-object form of a subtree for zod: children in `namespaces` are keyed by local name (repeated
 * ones become arrays), others by `{uri}local`; attributes are `@name`, text is `#text`. A leaf
 * without attributes is just its text, like fast-xml-parser's default output.
 */
export type XmlPlain = string | { [key: string]: XmlPlain | XmlPlain[] };

export function toPlain(el: XmlElement, namespaces: readonly string[]): XmlPlain {
  const attrNames = Object.keys(el.attrs);
  if (el.children.length === 0 && attrNames.length === 0) return el.text;
  const out: { [key: string]: XmlPlain | XmlPlain[] } = {};
  for (const attr of attrNames) out[`@${attr}`] = el.attrs[attr] ?? '';
  if (el.text.trim() !== '' || el.children.length === 0) out['#text'] = el.text;
  for (const child of el.children) {
    const key = child.ns !== undefined && namespaces.includes(child.ns) ? child.name : clarkName(child);
    const value = toPlain(child, namespaces);
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
