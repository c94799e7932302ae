/**
 * A small inline registry for matcher tests, built in code (not the real data/registry) so each test
 * controls exactly which aliases, identifiers and roles exist. Names and identifiers are the real ones
 * seen in ICE award records (see ../shared/matching/dev-cases.csv and ../shared/fixtures/ice-history).
 */
import { companySchema, type Company, type CompanyInput } from '../../scripts/registry/schema.ts';

export function company(input: CompanyInput): Company {
  return companySchema.parse(input);
}

const src = 'test';

export const REGISTRY: Company[] = [
  company({
    id: 'palantir',
    name: 'Palantir',
    aliases: { legal: ['Palantir Technologies Inc.'] },
    products: [
      { term: 'Gotham', specificity: 'high' },
      { term: 'Palantir Foundry', specificity: 'high' },
    ],
    identifiers: { duns: [{ value: '362130952', source: src }] },
    subsidiaries: [{ name: 'Palantir USG, Inc.', identifiers: { duns: [{ value: '825284321', source: src }] } }],
  }),
  company({
    id: 'microsoft',
    name: 'Microsoft',
    aliases: { legal: ['Microsoft Corporation'] },
    products: [
      { term: 'Azure', specificity: 'high' },
      { term: 'SharePoint', specificity: 'medium' },
      { term: 'Windows', specificity: 'low' },
    ],
    identifiers: { duns: [{ value: '081466849', source: src }] },
    subsidiaries: [{ name: 'LinkedIn Corporation' }],
  }),
  company({
    id: 'github',
    name: 'GitHub',
    aliases: { legal: ['GitHub, Inc.'] },
    products: [{ term: 'GitHub Enterprise', specificity: 'high' }],
    parent: 'microsoft',
  }),
  company({
    id: 'dell',
    name: 'Dell',
    aliases: { legal: ['Dell Technologies Inc.', 'Dell Federal Systems L.P.', 'Dell Marketing L.P.', 'Denali Holding Inc.'] },
    products: [
      { term: 'Latitude', specificity: 'high' },
      { term: 'PowerEdge', specificity: 'high' },
    ],
    roles: ['vendor', 'reseller'],
  }),
  company({
    id: 'four-points',
    name: 'Four Points Technology',
    aliases: { legal: ['Four Points Technology, L.L.C.'] },
    roles: ['reseller'],
  }),
  company({
    id: 'amazon',
    name: 'Amazon',
    aliases: { legal: ['Amazon.com, Inc.', 'Amazon Web Services, Inc.'], strong: ['Amazon Web Services'], weak: ['AWS'] },
    products: [
      { term: 'AWS', specificity: 'high' },
      { term: 'GovCloud', specificity: 'high' },
    ],
  }),
  company({
    id: 'ibm',
    name: 'International Business Machines',
    aliases: { legal: ['International Business Machines Corporation'], weak: ['IBM'] },
  }),
  company({ id: 'cisco', name: 'Cisco', aliases: { legal: ['Cisco Systems, Inc.'] } }),
  company({ id: 'oracle', name: 'Oracle', aliases: { legal: ['Oracle America, Inc.', 'Oracle Corporation'] } }),
  company({ id: 'google', name: 'Google', aliases: { legal: ['Google LLC'] } }),
  company({ id: 'vigilant-solutions', name: 'Vigilant Solutions', aliases: { legal: ['Vigilant Solutions, LLC'], strong: ['Vigilant'] } }),
  company({
    id: 'thomson-reuters',
    name: 'Thomson Reuters',
    aliases: { legal: ['Thomson Reuters Corporation'] },
    products: [{ term: 'CLEAR', specificity: 'medium' }],
    subsidiaries: [
      { name: 'Thomson Reuters Special Services LLC', identifiers: { duns: [{ value: '827821757', source: src }] } },
      { name: 'West Publishing Corporation' },
    ],
  }),
  company({
    id: 'accenture',
    name: 'Accenture',
    aliases: { legal: ['Accenture plc'] },
    identifiers: { uei: [{ value: 'K9S7KL73XBE3', source: src }] },
    subsidiaries: [{ name: 'Accenture Federal Services LLC', identifiers: { uei: [{ value: 'C47BNA8GM833', source: src }] } }],
  }),
  company({
    id: 'geo-group',
    name: 'The GEO Group',
    aliases: { legal: ['The GEO Group, Inc.'], weak: ['GEO'] },
    identifiers: { duns: [{ value: '612706465', source: src }] },
  }),
  company({
    id: 'booz-allen-hamilton',
    name: 'Booz Allen Hamilton',
    aliases: { legal: ['Booz Allen Hamilton Inc.', 'Booz Allen Hamilton Holding Corporation'] },
  }),
  company({
    id: 'cellebrite',
    name: 'Cellebrite',
    aliases: { legal: ['Cellebrite DI Ltd.', 'Cellebrite USA Corp.', 'Cellebrite Inc.'] },
    products: [{ term: 'UFED', specificity: 'high' }],
  }),
];
