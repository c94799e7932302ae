import { describe, expect, it } from 'vitest';
import { FPDS_NAMESPACES, XmlSyntaxError, parseXmlDocument, toPlain } from '../../../scripts/sources/fpds/xml.ts';

describe('fpds xml: namespace resolution', () => {
  it('resolves prefixes, default namespaces, redeclarations and xmlns="" undeclaration', () => {
    const root = parseXmlDocument(
      '<a xmlns="urn:one" xmlns:p="urn:p"><p:b><p:c xmlns:p="urn:q"/></p:b><d xmlns=""/><e/></a>',
    );
    expect(root).toMatchObject({ name: 'a', ns: 'urn:one' });
    const [b, d, e] = root.children;
    expect([b?.name, b?.ns]).toEqual(['b', 'urn:p']);
    expect([b?.children[0]?.name, b?.children[0]?.ns]).toEqual(['c', 'urn:q']);
    expect([d?.name, d?.ns]).toEqual(['d', undefined]);
    expect([e?.name, e?.ns]).toEqual(['e', 'urn:one']);
  });

  it('drops xmlns declarations from attributes but keeps the others', () => {
    const root = parseXmlDocument('<x:a xmlns:x="urn:x" version="1.5" x:flag="y"/>');
    expect(root.attrs).toEqual({ version: '1.5', 'x:flag': 'y' });
  });

  it('decodes XML entities and numeric character references once', () => {
    const root = parseXmlDocument('<a n="S&amp;P">CAF&#201; &#xE9; &amp;#233; &lt;b&gt;<![CDATA[ <raw> ]]></a>');
    expect(root.text).toBe('CAFÉ é &#233; <b> <raw> ');
    expect(root.attrs.n).toBe('S&P');
  });

  it('keeps identifier text as written (no number parsing)', () => {
    const root = parseXmlDocument('<a><duns>003062809</duns><piid>0001</piid><amt>348000.00</amt></a>');
    expect(root.children.map((c) => c.text)).toEqual(['003062809', '0001', '348000.00']);
  });

  it('rejects malformed XML and undeclared prefixes', () => {
    expect(() => parseXmlDocument('<a><b></a>')).toThrow(XmlSyntaxError);
    expect(() => parseXmlDocument('plain text')).toThrow(XmlSyntaxError);
    expect(() => parseXmlDocument('<p:a/>')).toThrow('undeclared prefix p');
  });
});

describe('fpds xml: plain form for the schemas', () => {
  it('keys FPDS elements by local name, foreign ones in Clark notation, repeats as arrays', () => {
    const root = parseXmlDocument(
      `<ns1:award xmlns:ns1="${FPDS_NAMESPACES[0]}" xmlns:o="urn:other" version="1.5">` +
        '<ns1:PIID>70CDCR26FR0000014</ns1:PIID><o:PIID>DECOY</o:PIID>' +
        '<ns1:agencyID name="ICE">7012</ns1:agencyID><ns1:empty/>' +
        '<ns1:v>1</ns1:v><ns1:v>2</ns1:v></ns1:award>',
    );
    expect(toPlain(root, FPDS_NAMESPACES)).toEqual({
      '@version': '1.5',
      PIID: '70CDCR26FR0000014',
      '{urn:other}PIID': 'DECOY',
      agencyID: { '@name': 'ICE', '#text': '7012' },
      empty: '',
      v: ['1', '2'],
    });
  });
});
