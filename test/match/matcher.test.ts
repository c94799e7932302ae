import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../scripts/match/matcher.ts';
import type { Match, MatchInput } from '../../scripts/match/types.ts';
import type { AwardRecord, MentionRecord } from '../../scripts/records.ts';
import { REGISTRY, company } from './registry-fixture.ts';

const matcher = createMatcher(REGISTRY);

/** [companyId, relation, confidence, method] per match, in the matcher's order. */
function brief(input: MatchInput | string, m = matcher): Array<[string, string, number, string]> {
  const matches = m.match(typeof input === 'string' ? { name: input } : input);
  return matches.map((x) => [x.companyId, x.relation, x.confidence, x.method]);
}

function only(input: MatchInput | string, m = matcher): Match {
  const matches = m.match(typeof input === 'string' ? { name: input } : input);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

describe('identifiers', () => {
  it('matches a company by DUNS, left-padding a DUNS that lost its zeros', () => {
    expect(brief({ name: 'MICROSOFT CORPORATION SITZ IN REDMOND CORPORATION', duns: '81466849' })).toEqual([
      ['microsoft', 'direct', 1, 'duns'],
    ]);
    expect(only({ name: 'x', duns: '081466849' }).reason).toBe('recipient DUNS 081466849 is registered for microsoft');
  });

  it('matches a subsidiary by its own identifiers as `subsidiary`', () => {
    expect(brief({ name: 'PALANTIR USG, INC.', duns: '825284321' })).toEqual([['palantir', 'subsidiary', 1, 'duns']]);
    expect(brief({ name: 'ACCENTURE FEDERAL SERVICES LLC', uei: 'c47bna8gm833' })).toEqual([['accenture', 'subsidiary', 1, 'uei']]);
  });

  it('matches by CAGE', () => {
    const m = createMatcher([company({ id: 'dell', name: 'Dell', identifiers: { cage: [{ value: '3XAU1', source: 't' }] } })]);
    expect(brief({ name: 'SOMETHING ELSE', cage: '3xau1' }, m)).toEqual([['dell', 'direct', 1, 'cage']]);
  });

  it('honours validFrom/validTo when the record has a date', () => {
    const m = createMatcher([
      company({
        id: 'acme',
        name: 'Acme',
        identifiers: { duns: [{ value: '123456789', validFrom: '2015-01-01', validTo: '2018-12-31', source: 't' }] },
      }),
    ]);
    expect(brief({ name: 'UNKNOWN', duns: '123456789', date: '2016-05-01' }, m)).toEqual([['acme', 'direct', 1, 'duns']]);
    expect(brief({ name: 'UNKNOWN', duns: '123456789', date: '2020-05-01' }, m)).toEqual([]);
    expect(brief({ name: 'UNKNOWN', duns: '123456789', date: '2014-12-31' }, m)).toEqual([]);
    // Without a date a record is read as of now, and the identifier stopped being Acme's in 2018.
    expect(brief({ name: 'UNKNOWN', duns: '123456789' }, m)).toEqual([]);
  });

  it('treats the parent UEI/DUNS as a subsidiary hint (0.95)', () => {
    expect(brief({ name: 'DEFENSE POINT SECURITY, LLC', parentUei: 'K9S7KL73XBE3' })).toEqual([
      ['accenture', 'subsidiary', 0.95, 'parent-uei'],
    ]);
    expect(brief({ name: 'SOME UNIT LLC', parentDuns: '612706465' })).toEqual([['geo-group', 'subsidiary', 0.95, 'parent-duns']]);
  });

  it('ignores malformed identifiers instead of matching on them', () => {
    expect(brief({ name: 'UNKNOWN', duns: 'n/a', uei: 'short' })).toEqual([]);
  });
});

describe('names', () => {
  it('matches legal names in any spelling as `direct` (0.95)', () => {
    expect(brief('PALANTIR TECHNOLOGIES INCORPORATED')).toEqual([['palantir', 'direct', 0.95, 'legal-name']]);
    expect(brief('GEO GROUP, INC., THE')).toEqual([['geo-group', 'direct', 0.95, 'legal-name']]);
    expect(brief('BOOZ ALLEN HAMILTON INCORPORATED (3626)')).toEqual([['booz-allen-hamilton', 'direct', 0.95, 'legal-name']]);
    expect(brief('CELLEBRITE USA, CORP')).toEqual([['cellebrite', 'direct', 0.95, 'legal-name']]);
    expect(only('INTERNATIONAL BUSINESS MACHINES CORPORATION').reason).toBe(
      'recipient name "international business machines" is the legal name "International Business Machines Corporation" of ibm',
    );
  });

  it('matches the registry name and strong aliases as `direct`', () => {
    expect(brief('Palantir')).toEqual([['palantir', 'direct', 0.95, 'strong-alias']]);
    expect(brief('VIGILANT, INC.')).toEqual([['vigilant-solutions', 'direct', 0.95, 'strong-alias']]);
    // A legal spelling of the same key wins the label: "Amazon Web Services, Inc." is listed as legal.
    expect(brief('AMAZON WEB SERVICES')).toEqual([['amazon', 'direct', 0.95, 'legal-name']]);
  });

  it('matches listed subsidiaries as `subsidiary`, also without identifiers', () => {
    expect(brief('PALANTIR USG, INC.')).toEqual([['palantir', 'subsidiary', 0.95, 'subsidiary-name']]);
    expect(brief('LINKEDIN CORPORATION')).toEqual([['microsoft', 'subsidiary', 0.95, 'subsidiary-name']]);
    expect(brief('WEST PUBLISHING CORPORATION')).toEqual([['thomson-reuters', 'subsidiary', 0.95, 'subsidiary-name']]);
  });

  it('matches weak aliases only as the whole name (0.9)', () => {
    expect(brief('IBM')).toEqual([['ibm', 'direct', 0.9, 'weak-alias']]);
    expect(brief('IBM CORP.')).toEqual([['ibm', 'direct', 0.9, 'weak-alias']]);
    expect(brief('GEO')).toEqual([['geo-group', 'direct', 0.9, 'weak-alias']]);
    expect(brief('IBM GLOBAL FINANCING')).toEqual([]);
    expect(brief('GEO CARE LLC')).toEqual([]);
  });

  it('matches each DBA/AKA part of a name', () => {
    expect(brief('ACME HOLDINGS LLC DBA ORACLE AMERICA')).toEqual([['oracle', 'direct', 0.95, 'legal-name']]);
    expect(brief('Widget Co (AKA Cellebrite Inc.)')).toEqual([['cellebrite', 'direct', 0.95, 'legal-name']]);
  });

  it('applies the 30-character prefix rule only to cut names that start exactly one company', () => {
    expect(brief('INTERNATIONAL BUSINESS MACHINE')).toEqual([['ibm', 'direct', 0.9, 'name-prefix']]);
    expect(only('INTERNATIONAL BUSINESS MACHINE').reason).toContain('looks cut at 30 characters');
    expect(brief('THOMSON REUTERS SPECIAL SERVIC')).toEqual([['thomson-reuters', 'subsidiary', 0.9, 'name-prefix']]);
    // Not 29/30 characters long: a shorter name is not a cut one.
    expect(brief('INTERNATIONAL BUSINESS MACH')).toEqual([]);
    // Two companies start with the same 30 characters: ambiguous, so nothing.
    const twins = createMatcher([
      company({ id: 'a', name: 'Northern Virginia Technology Services Group' }),
      company({ id: 'b', name: 'Northern Virginia Technology Solutions' }),
    ]);
    expect(brief('NORTHERN VIRGINIA TECHNOLOGY S', twins)).toEqual([]);
    // The cut can eat the legal form (or a trailing THE) down to a letter: what remains is a whole name.
    const cutForm = createMatcher([
      company({ id: 'losami', name: 'Losami Networks Technologies', aliases: { legal: ['Losami Networks Technologies Corporation'] } }),
      company({ id: 'quelix', name: 'The Quelix Data Group', aliases: { legal: ['The Quelix Data Group, Inc.'] } }),
    ]);
    expect(brief('LOSAMI NETWORKS TECHNOLOGIES C', cutForm)).toEqual([['losami', 'direct', 0.9, 'name-prefix']]);
    expect(brief('LOSAMI NETWORKS TECHNOLOGIES I', cutForm)).toEqual([['losami', 'direct', 0.9, 'name-prefix']]);
    expect(brief('QUELIX DATA GROUP, INC., THE X', cutForm)).toEqual([]); // 30 characters, but X is no cut form
    expect(brief('QUELIX DATA GROUP INC. (123) T', cutForm)).toEqual([]);
    expect(brief('QUELIX DATA GROUP, INCORPOR T', cutForm)).toEqual([]);
    expect(brief('QUELIX DATA GROUP, INC., TH', cutForm)).toEqual([]); // 27 characters: not a cut
    expect(brief('QUELIX DATA GROUP, INCORPORAT', cutForm)).toEqual([['quelix', 'direct', 0.9, 'name-prefix']]);
    expect(only({ name: 'LOSAMI NETWORKS TECHNOLOGIES C' }, cutForm).reason).toBe(
      'recipient name "losami networks technologies c" looks cut at 30 characters and is, without a cut-off legal form, the legal name "Losami Networks Technologies Corporation" of losami',
    );
    // With one of the twins alone the same cut name is unambiguous; a longer name is not a cut at all.
    const single = createMatcher([company({ id: 'a', name: 'Northern Virginia Technology Services Group' })]);
    expect(brief('NORTHERN VIRGINIA TECHNOLOGY S', single)).toEqual([['a', 'direct', 0.9, 'name-prefix']]);
    expect(brief('NORTHERN VIRGINIA TECHNOLOGY SERV', single)).toEqual([]);
    // Long enough but too short once normalized to be unambiguous.
    const short = createMatcher([company({ id: 'ab', name: 'AB Co Holdings International Partners' })]);
    expect(brief('AB CO, INC. - - - - - - - - - -', short)).toEqual([]);
  });

  it('does not let weak aliases or the prefix rule reach inside longer names', () => {
    expect(brief('AWS CONSTRUCTION SERVICES')).toEqual([]);
  });
});

describe('relations', () => {
  it('keeps `direct` when the recipient is the company and its parent record also points at it', () => {
    expect(brief({ name: 'PALANTIR TECHNOLOGIES INC.', duns: '362130952', parentName: 'PALANTIR TECHNOLOGIES INC.' })).toEqual([
      ['palantir', 'direct', 1, 'duns'],
    ]);
    // Dell's own legal entity whose parent (Denali Holding) is also a Dell legal name.
    expect(brief({ name: 'DELL FEDERAL SYSTEMS L.P.', parentName: 'DENALI HOLDING INC.' })).toEqual([
      ['dell', 'direct', 0.95, 'legal-name'],
    ]);
    expect(brief({ name: 'GEO GROUP INC., THE', parentDuns: '612706465' })).toEqual([['geo-group', 'direct', 0.95, 'legal-name']]);
  });

  it('uses the parent name as a subsidiary hint (0.9) when the recipient itself is unknown', () => {
    expect(brief({ name: 'B.I. INCORPORATED', parentName: 'GEO GROUP  INC.  THE' })).toEqual([
      ['geo-group', 'subsidiary', 0.9, 'parent-name'],
    ]);
    expect(only({ name: 'LINKEDIN CORP', parentName: 'MICROSOFT CORPORATION' }).relation).toBe('subsidiary');
    // Weak aliases are not parent hints: "GEO" as a parent name is too thin.
    expect(brief({ name: 'GEO CARE LLC', parentName: 'GEO' })).toEqual([]);
  });

  it('rolls a match to a company with a registry parent up to the parent as `subsidiary`', () => {
    const matches = matcher.match({ name: 'GITHUB, INC.' });
    expect(matches.map((m) => [m.companyId, m.relation, m.confidence])).toEqual([
      ['github', 'direct', 0.95],
      ['microsoft', 'subsidiary', 0.95],
    ]);
    expect(matches[1]!.reason).toBe(
      'recipient name "github" is the legal name "GitHub, Inc." of github; github is a subsidiary of microsoft in the registry',
    );
  });

  it('returns matches sorted by confidence, then company id', () => {
    const matches = matcher.match({ name: 'GITHUB, INC.', parentUei: 'K9S7KL73XBE3' });
    expect(matches.map((m) => m.companyId)).toEqual(['accenture', 'github', 'microsoft']);
  });
});

describe('resellers', () => {
  it('matches the reseller as itself and attributes a named brand via the reseller', () => {
    const matches = matcher.match({ name: 'FOUR POINTS TECHNOLOGY, L.L.C.', description: 'Amazon Web Services Public Cloud' });
    expect(matches).toEqual([
      {
        companyId: 'four-points',
        relation: 'direct',
        confidence: 0.95,
        method: 'legal-name',
        reason: 'recipient name "four points technology" is the legal name "Four Points Technology, L.L.C." of four-points',
      },
      {
        companyId: 'amazon',
        relation: 'via-reseller',
        confidence: 0.9,
        method: 'product-term',
        reason:
          'the description names amazon\'s name "Amazon Web Services" (high specificity) on an award to the reseller four-points',
        resellerId: 'four-points',
      },
    ]);
  });

  it('attributes nothing when a reseller award names no brand', () => {
    expect(brief({ name: 'FOUR POINTS TECHNOLOGY, L.L.C.', description: 'ICE Cloud Hosting Infrastructure to Support ICE/OCIO/SDD' })).toEqual([
      ['four-points', 'direct', 0.95, 'legal-name'],
    ]);
  });

  it('lets a vendor that also resells (Dell) carry other brands, but not its own', () => {
    expect(brief({ name: 'DELL FEDERAL SYSTEMS L.P.', description: 'Microsoft Azure Commercial Licenses' })).toEqual([
      ['dell', 'direct', 0.95, 'legal-name'],
      ['microsoft', 'via-reseller', 0.9, 'product-term'],
    ]);
    expect(brief({ name: 'DELL FEDERAL SYSTEMS L.P.', description: 'Dell Latitude laptops' })).toEqual([['dell', 'direct', 0.95, 'legal-name']]);
  });

  it('does not re-attribute a vendor award that names another brand', () => {
    expect(brief({ name: 'PALANTIR TECHNOLOGIES INC.', description: 'Dell servers and Microsoft Azure hosting for Gotham' })).toEqual([
      ['palantir', 'direct', 0.95, 'legal-name'],
    ]);
    // An unknown recipient is not a known reseller either.
    expect(brief({ name: 'ACME IT SOLUTIONS', description: 'Microsoft Azure licenses' })).toEqual([]);
  });

  it('weights terms by specificity: high 0.9, medium 0.8, low ignored', () => {
    expect(brief({ name: 'FOUR POINTS TECHNOLOGY', description: 'SHAREPOINT MAINTENANCE' })).toEqual([
      ['four-points', 'direct', 0.95, 'legal-name'],
      ['microsoft', 'via-reseller', 0.8, 'product-term'],
    ]);
    expect(brief({ name: 'FOUR POINTS TECHNOLOGY', description: 'WINDOWS 7 OS LICENSES' })).toEqual([
      ['four-points', 'direct', 0.95, 'legal-name'],
    ]);
  });

  it('matches terms as whole words and phrases only', () => {
    expect(brief({ name: 'FOUR POINTS TECHNOLOGY', description: 'AZURESQUE GOTHAMITE LATITUDES' })).toEqual([
      ['four-points', 'direct', 0.95, 'legal-name'],
    ]);
    expect(brief({ name: 'FOUR POINTS TECHNOLOGY', description: 'Palantir-Foundry seats' }).map((m) => m[0])).toEqual([
      'four-points',
      'palantir',
    ]);
  });

  it('does not take a pure reseller\'s name in a description for a brand', () => {
    expect(brief({ name: 'DELL FEDERAL SYSTEMS L.P.', description: 'FOUR POINTS TECHNOLOGY PASS-THROUGH ORDER' })).toEqual([
      ['dell', 'direct', 0.95, 'legal-name'],
    ]);
  });

  it('rolls a brand with a registry parent up the chain, still as via-reseller', () => {
    const matches = matcher.match({ name: 'FOUR POINTS TECHNOLOGY', description: 'GitHub Enterprise seats' });
    expect(matches.map((m) => [m.companyId, m.relation, m.resellerId])).toEqual([
      ['four-points', 'direct', undefined],
      ['github', 'via-reseller', 'four-points'],
      ['microsoft', 'via-reseller', 'four-points'],
    ]);
  });
});

describe('false friends and near misses', () => {
  const nearMisses = [
    'EVIGILANT.COM INCORPORATED',
    'CLEARAVENUE, LLC',
    'CISCO-EAGLE, INC.',
    'ORACLE ELEVATOR',
    'ORACLE ELEVATOR COMPANY',
    'AMAZON HOSE & RUBBER',
    'AMAZON HOSE AND RUBBER CO',
    'IBM SOUTHEAST EMPLOYEES FEDERAL CREDIT UNION',
    "DELL'S AUTO BODY",
    'GOOGLE EYES LLC',
    'MICROSOFTWARE INC',
    'MY PALANTIR.COM INCORPORATED',
  ];
  for (const name of nearMisses) {
    it(`matches nothing for ${name} (no falseFriends needed)`, () => {
      expect(matcher.match({ name })).toEqual([]);
    });
  }

  it('never matches a listed false friend, even with a shared identifier or parent hint', () => {
    const m = createMatcher([
      company({
        id: 'cisco',
        name: 'Cisco',
        aliases: { legal: ['Cisco Systems, Inc.'], strong: ['Cisco Eagle'] },
        falseFriends: ['Cisco-Eagle, Inc.'],
        identifiers: { duns: [{ value: '111111111', source: 't' }] },
      }),
    ]);
    expect(brief('CISCO SYSTEMS INC', m)).toEqual([['cisco', 'direct', 0.95, 'legal-name']]);
    expect(brief({ name: 'CISCO-EAGLE, INC.', duns: '111111111', parentName: 'CISCO SYSTEMS INC' }, m)).toEqual([]);
    // and not as a parent name either
    expect(brief({ name: 'SHELVING CO', parentName: 'CISCO EAGLE INC' }, m)).toEqual([]);
  });

  it('does not read a false friend in a reseller description as the brand', () => {
    const m = createMatcher([
      company({ id: 'cisco', name: 'Cisco', falseFriends: ['Cisco-Eagle'] }),
      company({ id: 'cdw', name: 'CDW Government LLC', roles: ['reseller'] }),
    ]);
    expect(brief({ name: 'CDW GOVERNMENT LLC', description: 'Cisco-Eagle warehouse shelving' }, m)).toEqual([
      ['cdw', 'direct', 0.95, 'strong-alias'],
    ]);
    expect(brief({ name: 'CDW GOVERNMENT LLC', description: 'Cisco Catalyst switches' }, m)).toEqual([
      ['cdw', 'direct', 0.95, 'strong-alias'],
      ['cisco', 'via-reseller', 0.9, 'product-term'],
    ]);
  });
});

describe('fuzzy candidates', () => {
  it('offers close spellings for review only (0.7–0.89)', () => {
    const typo = only('THOMPSON REUTERS SPECIAL SERVICES LLC');
    expect([typo.companyId, typo.relation, typo.method]).toEqual(['thomson-reuters', 'subsidiary', 'fuzzy']);
    expect(typo.confidence).toBeGreaterThanOrEqual(0.7);
    expect(typo.confidence).toBeLessThan(0.9);
    expect(typo.reason).toBe(
      'recipient name "thompson reuters special services" resembles the subsidiary name "Thomson Reuters Special Services LLC" of thomson-reuters; needs review',
    );
    const govt = only('PALANTIR GOVERNMENT SERVICES');
    expect([govt.companyId, govt.relation, govt.confidence]).toEqual(['palantir', 'direct', 0.81]);
  });

  it('finds a misspelt brand through its one-letter deletions and sends it to review', () => {
    for (const name of ['PALANTIRE', 'PALANTR TECHNOLOGIES INC', 'PALANTRI TECHNOLOGIES', 'CELLEBRTE USA CORP']) {
      const m = only(name);
      expect([m.method, m.relation], name).toEqual(['fuzzy', 'direct']);
      expect(m.confidence, name).toBeGreaterThanOrEqual(0.7);
      expect(m.confidence, name).toBeLessThan(0.9);
    }
    expect(only('CELLEBRTE USA CORP').companyId).toBe('cellebrite');
  });

  it('lets words in parentheses stay unmatched, so "Microsoft (Azure)" reaches review', () => {
    const azure = only('Microsoft (Azure)');
    expect([azure.companyId, azure.relation, azure.method]).toEqual(['microsoft', 'direct', 'fuzzy']);
    expect(azure.confidence).toBe(0.85);
    // Outside parentheses the same word is distinctive and must match.
    expect(brief('MICROSOFT AZURE CONSULTANTS')).toEqual([]);
  });

  it('is not consulted when an exact match exists', () => {
    expect(brief({ name: 'PALANTIR GOVERNMENT SERVICES', duns: '362130952' })).toEqual([['palantir', 'direct', 1, 'duns']]);
  });
});

describe('records', () => {
  const award: AwardRecord = {
    recordType: 'award',
    source: 'usaspending',
    awardKey: 'CONT_AWD_70CMSD18FR0000022_7012_HSHQDC13D00010_7001',
    piid: '70CMSD18FR0000022',
    kind: 'contract',
    recipient: { name: 'FOUR POINTS TECHNOLOGY, L.L.C.', duns: '140962528', parentName: 'FOUR POINTS TECHNOLOGY L.L.C.' },
    amounts: { obligated: 100 },
    start: '2018-09-28',
    description: 'AMAZON WEB SERVICES PUBLIC CLOUD',
    url: 'https://www.usaspending.gov/award/CONT_AWD_70CMSD18FR0000022_7012_HSHQDC13D00010_7001',
  };

  it('matchAward reads the recipient, parent, description and start date', () => {
    expect(matcher.matchAward(award).map((m) => [m.companyId, m.relation])).toEqual([
      ['four-points', 'direct'],
      ['amazon', 'via-reseller'],
    ]);
    const dated = createMatcher([
      company({ id: 'fp', name: 'FP', identifiers: { duns: [{ value: '140962528', validTo: '2017-12-31', source: 't' }] } }),
    ]);
    expect(dated.matchAward(award)).toEqual([]);
    expect(dated.matchAward({ ...award, start: '2017-01-01' }).map((m) => m.companyId)).toEqual(['fp']);
  });

  it('matchMention matches a watchdog name', () => {
    const mention: MentionRecord = { recordType: 'mention', source: 'techqueria', list: 'declined', name: 'GitHub' };
    expect(matcher.matchMention(mention).map((m) => [m.companyId, m.relation])).toEqual([
      ['github', 'direct'],
      ['microsoft', 'subsidiary'],
    ]);
  });

  it('gives the same answer on a repeated (cached) name and does not share match objects', () => {
    const first = matcher.match({ name: 'PALANTIR USG, INC.' });
    first[0]!.confidence = 0;
    expect(matcher.match({ name: 'PALANTIR USG, INC.' })[0]!.confidence).toBe(0.95);
  });
});

describe('scale', () => {
  it('stays exact at registry scale: 2,000 similar companies, 40,000 records', () => {
    const companies = Array.from({ length: 2000 }, (_, i) =>
      company({
        id: `company-${i}`,
        name: `Zeta${i} Quantum Holdings`,
        aliases: { legal: [`Zeta${i} Quantum Holdings, Inc.`], strong: [`Zeta${i}`] },
        identifiers: { uei: [{ value: `UEI${String(i).padStart(9, '0')}`, source: 't' }] },
        products: [{ term: `Widget${i}`, specificity: 'high' }],
        roles: i % 100 === 0 ? ['reseller'] : ['vendor'],
      }),
    );
    const big = createMatcher(companies);
    const inputs: MatchInput[] = Array.from({ length: 40_000 }, (_, i) => ({
      name: i % 3 === 0 ? `ZETA${i % 2500} QUANTUM HOLDINGS INC` : `UNRELATED VENDOR ${i % 5000} LLC`,
      ...(i % 5 === 0 ? { uei: `UEI${String(i % 2000).padStart(9, '0')}` } : {}),
      description: `Widget${i % 2000} licenses and support`,
    }));
    // Speed is measured by `npm run bench`, not here; this checks that near-identical names among 2,000
    // companies never cross over.
    let matched = 0;
    for (const input of inputs) matched += big.match(input).length;
    expect(matched).toBeGreaterThan(10_000);
    expect(big.match({ name: 'ZETA1234 QUANTUM HOLDINGS INC' }).filter((m) => m.confidence >= 0.9).map((m) => m.companyId)).toEqual(['company-1234']);
    expect(big.match({ name: 'ZETA123 QUANTUM HOLDINGS INC' }).filter((m) => m.confidence >= 0.9).map((m) => m.companyId)).toEqual(['company-123']);
    expect(big.match({ name: 'ZETA2400 QUANTUM HOLDINGS INC' }).filter((m) => m.confidence >= 0.9)).toEqual([]);
    expect(big.match({ name: 'UNRELATED VENDOR 7 LLC', uei: 'UEI000000042' }).map((m) => [m.companyId, m.method])).toEqual([['company-42', 'uei']]);
  });
});
