import { describe, expect, it } from 'vitest';
import { canonicalLegalForm, isCutLegalFormWord, trailingLegalForm } from '../../scripts/match/legal-forms.ts';
import {
  mayBeTruncated,
  nameKey,
  normalizeCage,
  normalizeDuns,
  normalizeName,
  normalizeUei,
  normalizedText,
  splitAlternateNames,
  tokenize,
  truncationReading,
} from '../../scripts/match/normalize.ts';

const main = (name: string) => normalizeName(name).variants[0]!;

describe('tokenize', () => {
  it('decomposes, strips marks and folds case (NFKD)', () => {
    expect(tokenize('Nestlé SOCIÉTÉ Ångström')).toEqual(['nestle', 'societe', 'angstrom']);
    // Compatibility forms fold too: full-width letters and the "ﬁ" ligature.
    expect(tokenize('ＤＥＬＬ ﬁnance')).toEqual(['dell', 'finance']);
  });

  it('turns & into "and" and drops "and" as a stopword', () => {
    expect(tokenize('Booz, Allen & Hamilton')).toEqual(['booz', 'allen', 'hamilton']);
    expect(tokenize('Booz Allen and Hamilton')).toEqual(['booz', 'allen', 'hamilton']);
    expect(tokenize('AT&T')).toEqual(['at', 't']);
  });

  it('removes apostrophes inside words instead of splitting them', () => {
    expect(tokenize("DELL'S AUTO BODY")).toEqual(['dells', 'auto', 'body']);
    expect(tokenize('Macy’s')).toEqual(['macys']);
  });

  it('joins dotted acronyms and splits on other punctuation', () => {
    expect(tokenize('B.I. INCORPORATED')).toEqual(['bi', 'incorporated']);
    expect(tokenize('FOUR POINTS TECHNOLOGY, L.L.C.')).toEqual(['four', 'points', 'technology', 'llc']);
    expect(tokenize('CISCO-EAGLE, INC.')).toEqual(['cisco', 'eagle', 'inc']);
    expect(tokenize('EVIGILANT.COM INCORPORATED')).toEqual(['evigilant', 'com', 'incorporated']);
    expect(tokenize('IGF::OT::IGF MS ELA/BPA')).toEqual(['igf', 'ot', 'igf', 'ms', 'ela', 'bpa']);
  });
});

describe('legal forms', () => {
  it('canonicalises every spelling in the table', () => {
    const cases: Array<[string, string]> = [
      ['inc', 'inc'],
      ['incorporated', 'inc'],
      ['corp', 'corp'],
      ['corporation', 'corp'],
      ['llc', 'llc'],
      ['l l c', 'llc'],
      ['limited liability company', 'llc'],
      ['lp', 'lp'],
      ['limited partnership', 'lp'],
      ['llp', 'llp'],
      ['ltd', 'ltd'],
      ['limited', 'ltd'],
      ['plc', 'plc'],
      ['public limited company', 'plc'],
      ['pllc', 'pllc'],
      ['co', 'co'],
      ['company', 'co'],
      ['gmbh', 'gmbh'],
      ['sa', 'sa'],
      ['nv', 'nv'],
      ['ag', 'ag'],
    ];
    for (const [spelling, canonical] of cases) expect(canonicalLegalForm(spelling.split(' ')), spelling).toBe(canonical);
    expect(canonicalLegalForm(['holdings'])).toBeUndefined();
  });

  it('finds the longest trailing form and never the first token', () => {
    expect(trailingLegalForm(['accenture', 'public', 'limited', 'company'])).toEqual({ canonical: 'plc', length: 3 });
    expect(trailingLegalForm(['acme', 'limited', 'liability', 'company'])).toEqual({ canonical: 'llc', length: 3 });
    expect(trailingLegalForm(['acme', 'company'])).toEqual({ canonical: 'co', length: 1 });
    expect(trailingLegalForm(['limited'])).toBeUndefined();
    expect(trailingLegalForm(['acme', 'holdings'])).toBeUndefined();
  });

  it('recognises a legal-form word cut short', () => {
    expect(isCutLegalFormWord('incorpo')).toBe(true);
    expect(isCutLegalFormWord('corporat')).toBe(true);
    expect(isCutLegalFormWord('c')).toBe(true);
    expect(isCutLegalFormWord('l')).toBe(true);
    expect(isCutLegalFormWord('th')).toBe(true);
    expect(isCutLegalFormWord('machine')).toBe(false);
    expect(isCutLegalFormWord('x')).toBe(false);
  });
});

describe('normalizeName', () => {
  it('removes legal forms in any spelling, so spellings of one entity share a key', () => {
    const keys = [
      'PALANTIR TECHNOLOGIES INC.',
      'PALANTIR TECHNOLOGIES INCORPORATED',
      'Palantir Technologies, Inc',
      'palantir technologies',
    ].map(nameKey);
    expect(new Set(keys)).toEqual(new Set(['palantir technologies']));
    expect(main('DELL MARKETING LIMITED PARTNERSHIP').text).toBe('dell marketing');
    expect(main('DELL MARKETING L.P.').text).toBe('dell marketing');
    expect(main('ACCENTURE PUBLIC LIMITED COMPANY').text).toBe('accenture');
    expect(main('FOUR POINTS TECHNOLOGY, L.L.C.').legalForms).toEqual(['llc']);
    expect(main('Nestlé S.A.').text).toBe('nestle');
    expect(main('Siemens AG').text).toBe('siemens');
    expect(main('Jetico Oy').text).toBe('jetico');
  });

  it('strips stacked trailing forms but keeps a form word inside a name', () => {
    expect(main('Hawaiian Telcom Services Company Inc').text).toBe('hawaiian telcom services');
    expect(main('Smith & Co Inc').legalForms).toEqual(['co', 'inc']);
    expect(main('The Company Store LLC').text).toBe('company store');
    expect(main('CACI, INC. - FEDERAL').text).toBe('caci inc federal');
    // A whole name that is only a designator keeps it, rather than becoming empty.
    expect(main('THE COMPANY').text).toBe('company');
  });

  it('drops a leading or trailing "THE" wherever the comma put it', () => {
    for (const spelling of ['GEO GROUP INC., THE', 'THE GEO GROUP, INC.', 'GEO GROUP  INC.  THE', 'THE GEO GROUP INCORPORATED', 'GEO GROUP, INC., THE']) {
      expect(main(spelling).text, spelling).toBe('geo group');
    }
  });

  it('drops a trailing numeric code in parentheses, but not other parentheses', () => {
    expect(main('BOOZ ALLEN HAMILTON INCORPORATED (3626)').text).toBe('booz allen hamilton');
    expect(main('G4S SECURE SOLUTIONS (USA) INC').text).toBe('g4s secure solutions usa');
  });

  it('splits DBA / FKA / AKA into alternative names', () => {
    expect(normalizeName('ACME HOLDINGS INC DBA ACME SOFTWARE').variants.map((v) => v.text)).toEqual(['acme holdings', 'acme software']);
    expect(normalizeName('Computer Projects Of Illinois (AKA OpenFox)').variants.map((v) => v.text)).toEqual([
      'computer projects of illinois',
      'openfox',
    ]);
    expect(normalizeName('LEIDOS, INC. F/K/A SAIC, INC.').variants.map((v) => v.text)).toEqual(['leidos', 'saic']);
    expect(normalizeName('Widget Corp d/b/a Gadget Co').variants.map((v) => v.text)).toEqual(['widget', 'gadget']);
    expect(splitAlternateNames('Blue Co formerly known as Red Co')).toEqual(['blue co', 'red co']);
    // A marker at the start or end is part of the name, not a split.
    expect(splitAlternateNames('DBA Systems Inc')).toEqual(['dba systems inc']);
  });

  it('remembers words that appear only in parentheses as qualifiers', () => {
    expect(main('Microsoft (Azure)').qualifiers).toEqual(['azure']);
    expect(main('G4S SECURE SOLUTIONS (USA) INC').qualifiers).toEqual(['usa']);
    expect(main('USA Parts (USA) Inc').qualifiers).toEqual([]);
    expect(main('Palantir Technologies Inc.').qualifiers).toEqual([]);
  });

  it('builds a sorted-token key that ignores word order and repetition', () => {
    expect(main('Hamilton Booz Allen').key).toBe(main('Booz Allen Hamilton').key);
    expect(main('Microsoft Corporation').key).toBe('microsoft');
    expect(main('International Business Machines Corporation').key).toBe('business international machines');
    expect(nameKey('!!!')).toBe('');
    expect(normalizedText('The GEO Group, Inc.')).toBe('geo group');
  });
});

describe('truncated names', () => {
  it('treats names of 30 characters (29 after a trimmed space) as possibly cut', () => {
    expect(mayBeTruncated('INTERNATIONAL BUSINESS MACHINE')).toBe(true);
    expect(mayBeTruncated('INTERNATIONAL BUSINESS MACHIN')).toBe(true);
    expect(mayBeTruncated('INTERNATIONAL BUSINESS MACHINES CORPORATION')).toBe(false);
    expect(mayBeTruncated('IBM')).toBe(false);
  });

  it('reads a cut name as a whole name with its legal form cut, and as the start of a longer name', () => {
    expect(truncationReading(main('ANACAPA MICRO PRODUCTS INCORPO'))).toEqual({
      completedKey: 'anacapa micro products',
      completedText: 'anacapa micro products',
      prefix: 'anacapa micro products incorpo',
    });
    // The cut can leave one letter of the form, or of a trailing THE after it.
    expect(truncationReading(main('LOSAMI NETWORKS TECHNOLOGIES C')).completedText).toBe('losami networks technologies');
    expect(truncationReading(main('QUELIX DATA GROUP, INC., T')).completedText).toBe('quelix data group');
    expect(truncationReading(main('INTERNATIONAL BUSINESS MACHINE'))).toEqual({ prefix: 'international business machine' });
  });
});

describe('identifiers', () => {
  it('left-pads DUNS to nine digits', () => {
    expect(normalizeDuns('81466849')).toBe('081466849');
    expect(normalizeDuns('6928857')).toBe('006928857');
    expect(normalizeDuns('06-928-857')).toBe('006928857');
    expect(normalizeDuns('1234567890')).toBeUndefined();
    expect(normalizeDuns('12AB')).toBeUndefined();
  });

  it('upper-cases UEI and CAGE and rejects malformed ones', () => {
    expect(normalizeUei(' c47bna8gm833 ')).toBe('C47BNA8GM833');
    expect(normalizeUei('C47BNA8GM83')).toBeUndefined();
    expect(normalizeCage('3xau1')).toBe('3XAU1');
    expect(normalizeCage('3XAU')).toBeUndefined();
  });
});
