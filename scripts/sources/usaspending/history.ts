/**
 * The legacy ICE transaction exports for FY2013–FY2017 (`fy13_ICE_transactions_selected_vendors.NOHEADER.csv`
 * …): USAspending contract transactions, header-less, re-saved by a spreadsheet (dates `DD/MM/YYYY`
 * or `DD/MM/YY HH:MM`, DUNS without leading zeros, booleans `t`/`f`). Transactions are folded into
 * awards keyed like USAspending's generated_unique_award_id, so they merge with the API's records.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { awardRecordSchema, usaspendingAwardUrl, type AwardRecord } from '../../records.ts';
import { awardOrIdvFlag, csvField, csvRequired, parseAmount, parseDigitCode, parseDuns, parseHistoryDate, type ValueResult } from '../../util/csv-values.ts';
import { SourceFormatError } from '../../util/errors.ts';
import { toPlainText } from '../../util/sanitize.ts';
import type { ParseResult, RawInput, RowIssue } from '../types.ts';
import { columnCountIssue, pickColumns, readCsvRows, rowIssuesFromZod } from '../usaspending-download/csv-reader.ts';
import { USASPENDING_SOURCE_ID } from './schema.ts';

/**
 * Column names in file order: column 2 of `follow_the_money_data_dictionary.csv`, which ships with
 * the export (xpmethod/torn-apart; ../shared/fixtures/ice-history/). Embedded so an import needs only
 * the data files. It is USAspending's 2018 contract transaction download layout (before UEIs).
 */
export const HISTORY_COLUMNS = [
  'award_id_piid', 'modification_number', 'transaction_number', 'parent_award_agency_id',
  'parent_award_agency_name', 'parent_award_id', 'parent_award_modification_number',
  'federal_action_obligation', 'base_and_exercised_options_value', 'current_total_value_of_award',
  'base_and_all_options_value', 'potential_total_value_of_award', 'action_date',
  'period_of_performance_start_date', 'period_of_performance_current_end_date',
  'period_of_performance_potential_end_date', 'ordering_period_end_date', 'awarding_agency_code',
  'awarding_agency_name', 'awarding_sub_agency_code', 'awarding_sub_agency_name', 'awarding_office_code',
  'awarding_office_name', 'funding_agency_code', 'funding_agency_name', 'funding_sub_agency_code',
  'funding_sub_agency_name', 'funding_office_code', 'funding_office_name', 'foreign_funding',
  'foreign_funding_description', 'sam_exception', 'sam_exception_description', 'recipient_duns',
  'recipient_name', 'recipient_doing_business_as_name', 'cage_code', 'recipient_parent_name',
  'recipient_parent_duns', 'recipient_country_code', 'recipient_country_name', 'recipient_address_line_1',
  'recipient_address_line_2', 'recipient_city_name', 'recipient_state_code', 'recipient_state_name',
  'recipient_zip_4_code', 'recipient_congressional_district', 'recipient_phone_number',
  'recipient_fax_number', 'primary_place_of_performance_country_code',
  'primary_place_of_performance_country_name', 'primary_place_of_performance_city_name',
  'primary_place_of_performance_county_name', 'primary_place_of_performance_state_code',
  'primary_place_of_performance_state_name', 'primary_place_of_performance_zip_4',
  'primary_place_of_performance_congressional_district', 'award_or_idv_flag', 'award_type_code',
  'award_type', 'idv_type_code', 'idv_type', 'multiple_or_single_award_idv_code',
  'multiple_or_single_award_idv', 'type_of_idc_code', 'type_of_idc', 'type_of_contract_pricing_code',
  'type_of_contract_pricing', 'award_description', 'action_type_code', 'action_type',
  'solicitation_identifier', 'number_of_actions', 'product_or_service_code',
  'product_or_service_code_description', 'contract_bundling_code', 'contract_bundling',
  'dod_claimant_program_code', 'dod_claimant_program_description', 'naics_code', 'naics_description',
  'recovered_materials_sustainability_code', 'recovered_materials_sustainability',
  'domestic_or_foreign_entity_code', 'domestic_or_foreign_entity', 'dod_acquisition_program_code',
  'dod_acquisition_program_description', 'information_technology_commercial_item_category_code',
  'information_technology_commercial_item_category', 'epa_designated_product_code', 'epa_designated_product',
  'country_of_product_or_service_origin_code', 'country_of_product_or_service_origin',
  'place_of_manufacture_code', 'place_of_manufacture', 'subcontracting_plan_code', 'subcontracting_plan',
  'extent_competed_code', 'extent_competed', 'solicitation_procedures_code', 'solicitation_procedures',
  'type_of_set_aside_code', 'type_of_set_aside', 'evaluated_preference_code', 'evaluated_preference',
  'research_code', 'research', 'fair_opportunity_limited_sources_code', 'fair_opportunity_limited_sources',
  'other_than_full_and_open_competition_code', 'other_than_full_and_open_competition',
  'number_of_offers_received', 'commercial_item_acquisition_procedures_code',
  'commercial_item_acquisition_procedures', 'small_business_competitiveness_demonstration_program',
  'commercial_item_test_program_code', 'commercial_item_test_program', 'a76_fair_act_action_code',
  'a76_fair_act_action', 'fed_biz_opps_code', 'fed_biz_opps', 'local_area_set_aside_code',
  'local_area_set_aside', 'price_evaluation_adjustment_preference_percent_difference',
  'clinger_cohen_act_planning_code', 'clinger_cohen_act_planning',
  'materials_supplies_articles_equipment_code', 'materials_supplies_articles_equipment',
  'labor_standards_code', 'labor_standards', 'construction_wage_rate_requirements_code',
  'construction_wage_rate_requirements', 'interagency_contracting_authority_code',
  'interagency_contracting_authority', 'other_statutory_authority', 'program_acronym',
  'parent_award_type_code', 'parent_award_type', 'parent_award_single_or_multiple_code',
  'parent_award_single_or_multiple', 'major_program', 'national_interest_action_code',
  'national_interest_action', 'cost_or_pricing_data_code', 'cost_or_pricing_data',
  'cost_accounting_standards_clause_code', 'cost_accounting_standards_clause', 'gfe_gfp_code', 'gfe_gfp',
  'sea_transportation_code', 'sea_transportation', 'undefinitized_action_code', 'undefinitized_action',
  'consolidated_contract_code', 'consolidated_contract', 'performance_based_service_acquisition_code',
  'performance_based_service_acquisition', 'multi_year_contract_code', 'multi_year_contract',
  'contract_financing_code', 'contract_financing', 'purchase_card_as_payment_method_code',
  'purchase_card_as_payment_method', 'contingency_humanitarian_or_peacekeeping_operation_code',
  'contingency_humanitarian_or_peacekeeping_operation', 'alaskan_native_owned_corporation_or_firm',
  'american_indian_owned_business', 'indian_tribe_federally_recognized', 'native_hawaiian_owned_business',
  'tribally_owned_business', 'veteran_owned_business', 'service_disabled_veteran_owned_business',
  'woman_owned_business', 'women_owned_small_business',
  'economically_disadvantaged_women_owned_small_business', 'joint_venture_women_owned_small_business',
  'joint_venture_economic_disadvantaged_women_owned_small_bus', 'minority_owned_business',
  'subcontinent_asian_asian_indian_american_owned_business', 'asian_pacific_american_owned_business',
  'black_american_owned_business', 'hispanic_american_owned_business', 'native_american_owned_business',
  'other_minority_owned_business', 'contracting_officers_determination_of_business_size',
  'contracting_officers_determination_of_business_size_code', 'emerging_small_business',
  'community_developed_corporation_owned_firm', 'labor_surplus_area_firm', 'us_federal_government',
  'federally_funded_research_and_development_corp', 'federal_agency', 'us_state_government',
  'us_local_government', 'city_local_government', 'county_local_government',
  'inter_municipal_local_government', 'local_government_owned', 'municipality_local_government',
  'school_district_local_government', 'township_local_government', 'us_tribal_government',
  'foreign_government', 'organizational_type', 'corporate_entity_not_tax_exempt',
  'corporate_entity_tax_exempt', 'partnership_or_limited_liability_partnership', 'sole_proprietorship',
  'small_agricultural_cooperative', 'international_organization', 'us_government_entity',
  'community_development_corporation', 'domestic_shelter', 'educational_institution', 'foundation',
  'hospital_flag', 'manufacturer_of_goods', 'veterinary_hospital', 'hispanic_servicing_institution',
  'receives_contracts', 'receives_grants', 'receives_contracts_and_grants', 'airport_authority',
  'council_of_governments', 'housing_authorities_public_tribal', 'interstate_entity', 'planning_commission',
  'port_authority', 'transit_authority', 'subchapter_scorporation', 'limited_liability_corporation',
  'foreign_owned_and_located', 'for_profit_organization', 'nonprofit_organization',
  'other_not_for_profit_organization', 'the_ability_one_program', 'number_of_employees', 'annual_revenue',
  'private_university_or_college', 'state_controlled_institution_of_higher_learning',
  '1862_land_grant_college', '1890_land_grant_college', '1994_land_grant_college', 'minority_institution',
  'historically_black_college', 'tribal_college', 'alaskan_native_servicing_institution',
  'native_hawaiian_servicing_institution', 'school_of_forestry', 'veterinary_college',
  'dot_certified_disadvantage', 'self_certified_small_disadvantaged_business',
  'small_disadvantaged_business', 'c8a_program_participant',
  'historically_underutilized_business_zone_hubzone_firm', 'sba_certified_8a_joint_venture',
  'last_modified_date', 'fiscal_year',
] as const;

const COLUMN_INDEX = new Map<string, number>(HISTORY_COLUMNS.map((name, position) => [name, position]));

const text = (limit = 300) =>
  z.string().transform((raw) => {
    const plain = toPlainText(raw, limit);
    return plain === '' ? undefined : plain;
  });
const historyDate = csvField(parseHistoryDate);
const amount = csvField((raw) => parseAmount(raw));
const duns = csvField(parseDuns);

/** FPDS agency identifiers are 4 characters (7012 = ICE); a shorter one lost a leading zero. */
function parseAgencyId(raw: string): ValueResult<string> {
  const value = raw.trim().toUpperCase();
  if (value === '') return { ok: true, value: undefined };
  if (/^[0-9A-Z]{4}$/.test(value)) return { ok: true, value };
  return { ok: false, message: `${JSON.stringify(toPlainText(raw, 20))} is not a 4-character agency id (a lost leading zero is not restored)` };
}

const transactionShape = {
  award_id_piid: csvRequired((raw) => ({ ok: true, value: toPlainText(raw, 60).toUpperCase() || undefined }), 'the PIID'),
  modification_number: text(40),
  transaction_number: text(20),
  parent_award_agency_id: csvField(parseAgencyId),
  parent_award_id: z.string().transform((raw) => toPlainText(raw, 60).toUpperCase() || undefined),
  federal_action_obligation: amount,
  current_total_value_of_award: amount,
  potential_total_value_of_award: amount,
  action_date: csvRequired(parseHistoryDate, 'the action date'),
  period_of_performance_start_date: historyDate,
  period_of_performance_current_end_date: historyDate,
  ordering_period_end_date: historyDate,
  awarding_agency_name: text(),
  awarding_sub_agency_code: csvRequired(parseAgencyId, 'the awarding agency id'),
  awarding_sub_agency_name: text(),
  recipient_duns: duns,
  recipient_name: csvRequired((raw) => ({ ok: true, value: toPlainText(raw) || undefined }), 'a recipient name'),
  recipient_parent_name: text(),
  recipient_parent_duns: duns,
  award_or_idv_flag: awardOrIdvFlag,
  award_type: text(80),
  idv_type: text(80),
  award_description: text(),
  product_or_service_code: text(10),
  naics_code: csvField((raw) => parseDigitCode(raw, { min: 2, max: 6 })),
  last_modified_date: historyDate,
} satisfies Partial<Record<(typeof HISTORY_COLUMNS)[number], z.ZodType>>;

const TRANSACTION_COLUMNS = Object.keys(transactionShape) as (keyof typeof transactionShape)[];

/** USAspending's generated_unique_award_id for a contract or IDV (upper case, `-NONE-` for blanks). */
export function historyAwardKey(parts: { kind: AwardRecord['kind']; piid: string; agencyId: string; parentPiid?: string; parentAgencyId?: string }): string {
  if (parts.kind === 'idv') return `CONT_IDV_${parts.piid}_${parts.agencyId}`.toUpperCase();
  return `CONT_AWD_${parts.piid}_${parts.agencyId}_${parts.parentPiid || '-NONE-'}_${parts.parentAgencyId || '-NONE-'}`.toUpperCase();
}

const transactionSchema = z.object(transactionShape).transform((row) => {
  const kind: AwardRecord['kind'] = row.award_or_idv_flag === 'IDV' ? 'idv' : 'contract';
  const key = historyAwardKey({
    kind,
    piid: row.award_id_piid,
    agencyId: row.awarding_sub_agency_code,
    ...(row.parent_award_id ? { parentPiid: row.parent_award_id } : {}),
    ...(row.parent_award_agency_id ? { parentAgencyId: row.parent_award_agency_id } : {}),
  });
  return { key, kind, ...row };
});
type Transaction = z.infer<typeof transactionSchema>;

/** Which of two transactions of an award is later: action date, then modification time, then numbers. */
function isLater(a: Transaction, b: Transaction): boolean {
  const left = [a.action_date, a.last_modified_date ?? '', a.modification_number ?? '', a.transaction_number ?? ''];
  const right = [b.action_date, b.last_modified_date ?? '', b.modification_number ?? '', b.transaction_number ?? ''];
  for (let i = 0; i < left.length; i += 1) {
    const l = left[i] ?? '';
    const r = right[i] ?? '';
    if (l !== r) return l > r;
  }
  return false;
}

const maxDate = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a >= b ? a : b);
const minDate = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a <= b ? a : b);

/** One award's transactions so far, folded as they stream past. */
interface Fold {
  /** Sum of federal_action_obligation in cents, so adding hundreds of rows does not drift. */
  obligatedCents?: number;
  start?: string;
  end?: string;
  lastDateToOrder?: string;
  lastModified?: string;
  latest: Transaction;
  /**
   * The earliest transaction that carries a description: USAspending's award description is the base
   * transaction's, and later ones are often closeouts ("IGF::OT::IGF DHS BULK CLOSE OUT") that would hide
   * the brand names reseller attribution looks for.
   */
  baseDescribed?: Transaction;
}

function fold(into: Fold | undefined, tx: Transaction): Fold {
  const cents = tx.federal_action_obligation === undefined ? undefined : Math.round(tx.federal_action_obligation * 100);
  if (!into) {
    return {
      ...(cents === undefined ? {} : { obligatedCents: cents }),
      ...(tx.period_of_performance_start_date ? { start: tx.period_of_performance_start_date } : {}),
      ...(tx.period_of_performance_current_end_date ? { end: tx.period_of_performance_current_end_date } : {}),
      ...(tx.ordering_period_end_date ? { lastDateToOrder: tx.ordering_period_end_date } : {}),
      ...(tx.last_modified_date ? { lastModified: tx.last_modified_date } : {}),
      latest: tx,
      ...(tx.award_description ? { baseDescribed: tx } : {}),
    };
  }
  const next: Fold = { ...into };
  if (cents !== undefined) next.obligatedCents = (into.obligatedCents ?? 0) + cents;
  const start = minDate(into.start, tx.period_of_performance_start_date);
  const end = maxDate(into.end, tx.period_of_performance_current_end_date);
  const lastDateToOrder = maxDate(into.lastDateToOrder, tx.ordering_period_end_date);
  const lastModified = maxDate(into.lastModified, tx.last_modified_date);
  if (start) next.start = start;
  if (end) next.end = end;
  if (lastDateToOrder) next.lastDateToOrder = lastDateToOrder;
  if (lastModified) next.lastModified = lastModified;
  if (isLater(tx, into.latest)) next.latest = tx;
  if (tx.award_description && (!into.baseDescribed || isLater(into.baseDescribed, tx))) next.baseDescribed = tx;
  return next;
}

function toRecord(award: Fold): AwardRecord {
  const tx = award.latest;
  const record = {
    recordType: 'award' as const,
    source: USASPENDING_SOURCE_ID,
    awardKey: tx.key,
    piid: tx.award_id_piid,
    ...(tx.kind === 'contract' && tx.parent_award_id ? { parentPiid: tx.parent_award_id } : {}),
    kind: tx.kind,
    ...optional('awardType', tx.kind === 'idv' ? tx.idv_type : tx.award_type),
    recipient: {
      name: tx.recipient_name,
      ...optional('duns', tx.recipient_duns),
      ...optional('parentName', tx.recipient_parent_name),
      ...optional('parentDuns', tx.recipient_parent_duns),
    },
    amounts: {
      ...optional('obligated', award.obligatedCents === undefined ? undefined : award.obligatedCents / 100),
      // Award-level totals: every transaction row repeats them, the latest one is current.
      ...optional('current', tx.current_total_value_of_award),
      ...optional('potential', tx.potential_total_value_of_award),
    },
    ...optional('start', award.start),
    ...optional('end', award.end),
    ...optional('lastDateToOrder', award.lastDateToOrder),
    ...optional('awardingAgency', tx.awarding_agency_name),
    ...optional('awardingSubAgency', tx.awarding_sub_agency_name),
    awardingAgencyCode: tx.awarding_sub_agency_code,
    ...optional('naics', tx.naics_code),
    ...optional('psc', tx.product_or_service_code),
    ...optional('description', award.baseDescribed?.award_description),
    ...optional('lastModified', award.lastModified),
    url: usaspendingAwardUrl(tx.key),
  };
  return awardRecordSchema.parse(record);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Reads the first record of a file and says whether it looks like this export: exactly the
 * dictionary's column count and no header row. Lets a router tell it from other CSVs.
 */
export async function isHistoryCsv(path: string): Promise<boolean> {
  try {
    for await (const row of readCsvRows(createReadStream(path), { sourceId: USASPENDING_SOURCE_ID, file: basename(path) })) {
      return row.fields.length === HISTORY_COLUMNS.length && row.fields[0] !== HISTORY_COLUMNS[0];
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Parses one or more history files together: an award's transactions may sit in several fiscal
 * years' files, and fold into one record. A transaction seen twice (same award, modification and
 * transaction number) counts once.
 */
export async function parseHistoryCsv(inputs: RawInput[]): Promise<ParseResult> {
  const awards = new Map<string, Fold>();
  const seen = new Set<string>();
  const rowIssues: RowIssue[] = [];
  for (const input of inputs) {
    const file = basename(input.path);
    let rows = 0;
    let fitting = 0;
    const widths = new Set<number>();
    for await (const row of readCsvRows(createReadStream(input.path), { sourceId: USASPENDING_SOURCE_ID, file })) {
      rows += 1;
      if (rows === 1 && row.fields[0] === HISTORY_COLUMNS[0]) {
        throw new SourceFormatError(USASPENDING_SOURCE_ID, 'this CSV has a header row; the history import reads the header-less FY2013–FY2017 ICE export', { file, line: 1 });
      }
      if (row.fields.length !== HISTORY_COLUMNS.length) {
        widths.add(row.fields.length);
        rowIssues.push(columnCountIssue(file, row.line, row.fields.length, HISTORY_COLUMNS.length));
        continue;
      }
      fitting += 1;
      const parsed = transactionSchema.safeParse(pickColumns(row.fields, COLUMN_INDEX, TRANSACTION_COLUMNS));
      if (!parsed.success) {
        rowIssues.push(...rowIssuesFromZod(parsed.error, file, row.line));
        continue;
      }
      const tx = parsed.data;
      const id = `${tx.key}\u0000${tx.modification_number ?? ''}\u0000${tx.transaction_number ?? ''}`;
      if (seen.has(id)) {
        rowIssues.push({ file, line: row.line, message: `transaction ${tx.award_id_piid} modification ${tx.modification_number ?? '(none)'} already read; counted once` });
        continue;
      }
      seen.add(id);
      awards.set(tx.key, fold(awards.get(tx.key), tx));
    }
    if (rows > 0 && fitting === 0) {
      throw new SourceFormatError(
        USASPENDING_SOURCE_ID,
        `no row has the history export's ${HISTORY_COLUMNS.length} columns (found ${[...widths].sort((a, b) => a - b).join(', ')}): not the FY2013–FY2017 ICE export`,
        { file },
      );
    }
  }
  const records = [...awards.values()].map(toRecord).sort((a, b) => (a.awardKey < b.awardKey ? -1 : a.awardKey > b.awardKey ? 1 : 0));
  return { records, rowIssues };
}
