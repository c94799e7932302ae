/**
 * A brand named only as a platform is not a purchase of the brand. The first descriptions are the real
 * spellings of ICE transactions (../shared/fixtures/usaspending/transactions, audited by hand with
 * `icewatch audit`); the others are the classes the rule covers, written in the same style.
 */
import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../scripts/match/matcher.ts';
import { isPlatformMention } from '../../scripts/match/resellers.ts';
import { tokenize } from '../../scripts/match/normalize.ts';
import { company } from './registry-fixture.ts';

const matcher = createMatcher([
  company({ id: 'panamerica-computers', name: 'Panamerica Computers', roles: ['reseller'], aliases: { strong: ['Panamerica Computers'] } }),
  company({ id: 'oracle', name: 'Oracle', aliases: { legal: ['Oracle Corporation'] } }),
  company({ id: 'microsoft', name: 'Microsoft', aliases: { legal: ['Microsoft Corporation'] }, products: [{ term: 'Azure', specificity: 'high' }, { term: 'Microsoft 365', specificity: 'high' }] }),
  company({ id: 'salesforce', name: 'Salesforce', products: [{ term: 'Tableau', specificity: 'high' }] }),
  company({ id: 'servicenow', name: 'ServiceNow' }),
  company({ id: 'cisco', name: 'Cisco' }),
]);

const via = (description: string) =>
  matcher
    .match({ name: 'PANAMERICA COMPUTERS, INC.', description })
    .filter((m) => m.relation === 'via-reseller')
    .map((m) => m.companyId);

describe('platform names in reseller descriptions', () => {
  it('does not attribute a product "for <Brand> users" to the brand (real: Quest Toad for Oracle)', () => {
    expect(via('TOAD LICENSE RENEWAL FOR ORACLE USERS. 25 LICENES TOTAL.')).toEqual([]);
    expect(via('TOAD LICENSE RENEWAL FOR ORACLE USERS. 25 LICENES TOTAL. CLOSEOUT MOD.')).toEqual([]);
  });

  it('keeps purchases of the brand itself, whatever the sentence around it (real spellings)', () => {
    expect(via('THIS AWARD IS FOR TABLEAU SOFTWARE LICENSES')).toEqual(['salesforce']);
    expect(via('THIS CONTRACT IS FOR AZURE CLOUD SERVICES FOR HOMELAND SECURITY INVESTIGATIONS TECHNICAL OPERATIONS TO CONDUCT DAILY OPERATIONS')).toEqual(['microsoft']);
    expect(via('ICE CLOUD INFRASTRUCTURE HOSTING SUPPORT FOR THE MICROSOFT AZURE ENVIRONMENT FOR ICE/OCIO')).toEqual(['microsoft']);
    expect(via('RENEWAL FOR SERVICENOW TASKER LICENSES.')).toEqual(['servicenow']);
    expect(via('MICROSOFT LICENSES FOR MICROSOFT 365')).toEqual(['microsoft']);
  });

  it('does not attribute "<Product> for <Brand>", "<Brand>-compatible" or "integration with <Brand>"', () => {
    expect(via('VEEAM BACKUP FOR MICROSOFT 365 SUBSCRIPTION')).toEqual([]);
    expect(via('SPLUNK APP FOR SERVICENOW')).toEqual([]);
    expect(via('CISCO-COMPATIBLE HEADSETS')).toEqual([]);
    expect(via('PLUG-IN FOR ORACLE DATABASE MONITORING')).toEqual([]);
    expect(via('ORACLE PLUG-IN FOR SPLUNK')).toEqual([]);
    expect(via('LICENSES FOR TABLEAU-CERTIFIED CONNECTOR')).toEqual([]);
    expect(via('DATA CONNECTOR INTEGRATION WITH SERVICENOW')).toEqual([]);
    expect(via('LICENCES FOR SALESFORCE USERS')).toEqual([]);
  });
});

describe('isPlatformMention', () => {
  const at = (text: string, term: string) => {
    const tokens = tokenize(text);
    const t = tokenize(term);
    const start = tokens.findIndex((_, i) => t.every((w, j) => tokens[i + j] === w));
    return isPlatformMention(tokens, start, start + t.length, () => false);
  };
  it.each([
    ['TOAD LICENSE RENEWAL FOR ORACLE USERS', 'oracle', true],
    ['HEADSETS, CISCO COMPATIBLE', 'cisco', true],
    ['MIGRATION TO AZURE', 'azure', false],
    ['AZURE CONSUMPTION UNITS', 'azure', false],
    ['FUNDING FOR AZURE', 'azure', false],
    ['FY2025 FOR AZURE', 'azure', false],
    ['SECURE GATEWAY FOR AZURE', 'azure', true],
  ])('%s (%s) → %s', (text, term, expected) => {
    expect(at(text, term)).toBe(expected);
  });
});
