/**
 * zod schemas for the FPDS payload of one feed entry (an `award` or an `IDV` element, prefixes already
 * normalized by xml.ts). Each schema validates the fields the pipeline relies on and converts the entry
 * into one FpdsTransaction: a base award or one modification. fold.ts then folds the transactions of an
 * award into one normalized `award` record.
 *
 * Versions: v1.5.2 carries vendorDUNSInformation (DUNS, global parent DUNS) and, since FPDS SP13, also
 * vendorUEIInformation, both under vendorSiteDetails/entityIdentifiers; v1.5.3 carries only the UEI block
 * (UEI, ultimateParentUEI, ultimateParentUEIName). Feeds before entityIdentifiers existed put
 * vendorDUNSInformation directly under vendorSiteDetails; both places are read.
 */
import { z } from 'zod';
import { toPlainText } from '../../util/sanitize.ts';
import { compact } from '../../util/compact.ts';

export type FpdsKind = 'contract' | 'idv';

export interface FpdsVendor {
  name: string;
  uei?: string;
  duns?: string;
  parentName?: string;
  parentUei?: string;
  parentDuns?: string;
}

/** One FPDS contract action: the base award (modNumber "0") or one of its modifications. */
export interface FpdsTransaction {
  kind: FpdsKind;
  /** USAspending generated_unique_award_id of the award this action belongs to. */
  awardKey: string;
  piid: string;
  agencyId: string;
  modNumber: string;
  transactionNumber?: string;
  parentPiid?: string;
  parentAgencyId?: string;
  /** contractActionType description: DELIVERY ORDER, BPA CALL, PURCHASE ORDER, IDC, BPA, FSS … */
  awardType?: string;
  /** purchaserInformation/contractingOfficeAgencyID: the awarding sub-tier (7012 = ICE). */
  contractingAgencyCode?: string;
  contractingAgencyName?: string;
  contractingDepartmentName?: string;
  signedDate?: string;
  /** signedDate with its time, for ordering actions signed the same day. */
  signedAt?: string;
  effectiveDate?: string;
  currentCompletionDate?: string;
  ultimateCompletionDate?: string;
  lastDateToOrder?: string;
  obligatedAmount?: number;
  baseAndExercisedOptionsValue?: number;
  baseAndAllOptionsValue?: number;
  totalObligatedAmount?: number;
  totalBaseAndExercisedOptionsValue?: number;
  totalBaseAndAllOptionsValue?: number;
  psc?: string;
  naics?: string;
  description?: string;
  vendor: FpdsVendor;
  lastModifiedDate?: string;
  /** lastModifiedDate with its time. */
  lastModifiedAt?: string;
}

// ---- leaf converters ------------------------------------------------------------------------

/** An element's text: a bare string, or `#text` of an element that also has attributes. */
const text = z
  .union([z.string(), z.object({ '#text': z.string().optional() })])
  .transform((value) => (typeof value === 'string' ? value : (value['#text'] ?? '')).trim());

const optionalText = text.optional().transform((value) => (value ? value : undefined));

const requiredText = text.refine((value) => value.length > 0, 'must not be empty');

/** A code with its FPDS decoration attributes, e.g. `<agencyID name="…">7012</agencyID>`. */
const coded = z
  .union([
    z.string(),
    z.object({
      '#text': z.string().optional(),
      '@name': z.string().optional(),
      '@description': z.string().optional(),
      '@departmentName': z.string().optional(),
    }),
  ])
  .transform((value) => {
    if (typeof value === 'string') return { code: value.trim() };
    const name = value['@name']?.trim();
    const description = value['@description']?.trim();
    const departmentName = value['@departmentName']?.trim();
    return {
      code: (value['#text'] ?? '').trim(),
      ...(name ? { name } : {}),
      ...(description ? { description } : {}),
      ...(departmentName ? { departmentName } : {}),
    };
  });
const optionalCoded = coded.optional();

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** FPDS writes "2025-12-16 00:00:00"; anything else (12/16/2025, 2025-02-30) is rejected, never guessed. */
const optionalDateTime = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const match = DATE_TIME.exec(value);
  if (match) {
    const [, y, m, d, hh = '00', mm = '00', ss = '00'] = match;
    const date = `${y}-${m}-${d}`;
    const probe = new Date(`${date}T00:00:00Z`);
    if (!Number.isNaN(probe.getTime()) && probe.toISOString().slice(0, 10) === date && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60) {
      return { date, at: `${date} ${hh}:${mm}:${ss}` };
    }
  }
  ctx.addIssue({ code: 'custom', message: `not a date (expected YYYY-MM-DD hh:mm:ss): ${JSON.stringify(value)}` });
  return z.NEVER;
});

/** Dollar amounts are plain decimals ("348000.00", "-1200.5"); thousands separators mean mangled data. */
const optionalAmount = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return Number(value);
  ctx.addIssue({ code: 'custom', message: `not a dollar amount: ${JSON.stringify(value)}` });
  return z.NEVER;
});

/** DUNS is 9 digits; a value that lost its leading zeros on the way is padded back. */
const optionalDuns = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  if (/^\d{1,9}$/.test(value)) return value.padStart(9, '0');
  ctx.addIssue({ code: 'custom', message: `not a DUNS number: ${JSON.stringify(value)}` });
  return z.NEVER;
});

/** SAM Unique Entity ID: 12 letters/digits. */
const optionalUei = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  if (/^[A-Za-z0-9]{12}$/.test(value)) return value.toUpperCase();
  ctx.addIssue({ code: 'custom', message: `not a UEI: ${JSON.stringify(value)}` });
  return z.NEVER;
});

// ---- blocks ---------------------------------------------------------------------------------

const ownIdSchema = z.object({
  agencyID: coded.refine((value) => value.code.length > 0, 'must not be empty'),
  PIID: requiredText,
  modNumber: optionalText,
  transactionNumber: optionalText,
});

const referencedIdvSchema = z.object({
  agencyID: optionalCoded,
  PIID: optionalText,
  modNumber: optionalText,
});

const datesSchema = z.object({
  signedDate: optionalDateTime,
  effectiveDate: optionalDateTime,
  currentCompletionDate: optionalDateTime,
  ultimateCompletionDate: optionalDateTime,
  lastDateToOrder: optionalDateTime,
});

const dollarValuesSchema = z.object({
  obligatedAmount: optionalAmount,
  baseAndExercisedOptionsValue: optionalAmount,
  baseAndAllOptionsValue: optionalAmount,
});

const totalDollarValuesSchema = z.object({
  totalObligatedAmount: optionalAmount,
  totalBaseAndExercisedOptionsValue: optionalAmount,
  totalBaseAndAllOptionsValue: optionalAmount,
});

const purchaserSchema = z.object({ contractingOfficeAgencyID: optionalCoded });

const contractDataSchema = z.object({
  contractActionType: optionalCoded,
  descriptionOfContractRequirement: optionalText,
});

const productOrServiceSchema = z.object({
  productOrServiceCode: optionalCoded,
  principalNAICSCode: optionalCoded,
});

const dunsInformationSchema = z.object({
  DUNSNumber: optionalDuns,
  vendorName: optionalText,
  globalParentDUNSNumber: optionalDuns,
  globalParentDUNSName: optionalText,
});

const ueiInformationSchema = z.object({
  UEI: optionalUei,
  UEILegalBusinessName: optionalText,
  ultimateParentUEI: optionalUei,
  ultimateParentUEIName: optionalText,
});

/**
 * An element that is present but empty (`<ns1:vendorHeader/>`) reads as the empty string; for a block
 * that means "nothing here", the same as absent, so the names under entityIdentifiers still count.
 */
function block<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());
}

const vendorSchema = z.object({
  vendorHeader: block(
    z.object({
      vendorName: optionalText,
      vendorLegalOrganizationName: optionalText,
    }),
  ),
  vendorSiteDetails: block(
    z.object({
      entityIdentifiers: block(
        z.object({
          vendorDUNSInformation: block(dunsInformationSchema),
          vendorUEIInformation: block(ueiInformationSchema),
        }),
      ),
      vendorDUNSInformation: block(dunsInformationSchema),
    }),
  ),
  contractorName: optionalText,
});

const commonShape = {
  relevantContractDates: datesSchema.optional(),
  dollarValues: dollarValuesSchema.optional(),
  totalDollarValues: totalDollarValuesSchema.optional(),
  purchaserInformation: purchaserSchema.optional(),
  contractData: contractDataSchema.optional(),
  productOrServiceInformation: productOrServiceSchema.optional(),
  vendor: vendorSchema,
  transactionInformation: z.object({ lastModifiedDate: optionalDateTime }).optional(),
};

const commonSchema = z.object(commonShape);
type CommonInput = z.output<typeof commonSchema>;

// ---- award keys -----------------------------------------------------------------------------

const NONE = '-NONE-';

/**
 * USAspending's generated_unique_award_id, upper-cased like USAspending does, so FPDS records dedupe
 * against USAspending ones: CONT_AWD_<PIID>_<AGENCY>_<PARENT PIID>_<PARENT AGENCY> for contracts
 * (-NONE- for a missing part), CONT_IDV_<PIID>_<AGENCY> for IDVs.
 */
export function fpdsAwardKey(parts: { kind: FpdsKind; piid: string; agencyId: string; parentPiid?: string; parentAgencyId?: string }): string {
  const key =
    parts.kind === 'idv'
      ? `CONT_IDV_${parts.piid}_${parts.agencyId}`
      : `CONT_AWD_${parts.piid}_${parts.agencyId}_${parts.parentPiid || NONE}_${parts.parentAgencyId || NONE}`;
  return key.toUpperCase();
}

// ---- conversion -----------------------------------------------------------------------------

const NAME_LIMIT = 300;
const DESCRIPTION_LIMIT = 1000;

function plain(value: string | undefined, limit = NAME_LIMIT): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = toPlainText(value, limit);
  return cleaned === '' ? undefined : cleaned;
}

function toTransaction(
  kind: FpdsKind,
  id: z.output<typeof ownIdSchema>,
  ref: z.output<typeof referencedIdvSchema> | undefined,
  data: CommonInput,
  ctx: z.RefinementCtx,
  idPath: string[],
): FpdsTransaction {
  const vendor = data.vendor;
  const duns = vendor.vendorSiteDetails?.entityIdentifiers?.vendorDUNSInformation ?? vendor.vendorSiteDetails?.vendorDUNSInformation;
  const uei = vendor.vendorSiteDetails?.entityIdentifiers?.vendorUEIInformation;
  const name = plain(vendor.vendorHeader?.vendorName ?? uei?.UEILegalBusinessName ?? duns?.vendorName ?? vendor.vendorHeader?.vendorLegalOrganizationName ?? vendor.contractorName);
  if (name === undefined) {
    ctx.addIssue({ code: 'custom', message: 'vendor has no name', path: ['vendor', 'vendorHeader', 'vendorName'] });
  }
  const piid = id.PIID;
  const agencyId = id.agencyID.code;
  const parentPiid = ref?.PIID;
  const parentAgencyId = parentPiid ? ref?.agencyID?.code || undefined : undefined;
  if (/\s/.test(piid)) ctx.addIssue({ code: 'custom', message: `PIID contains whitespace: ${JSON.stringify(piid)}`, path: [...idPath, 'PIID'] });

  const dates = data.relevantContractDates;
  const dollars = data.dollarValues;
  const totals = data.totalDollarValues;
  const contracting = data.purchaserInformation?.contractingOfficeAgencyID;
  const vendorOut: FpdsVendor = compact({
    name: name ?? '',
    uei: uei?.UEI,
    duns: duns?.DUNSNumber,
    parentName: plain(uei?.ultimateParentUEIName ?? duns?.globalParentDUNSName),
    parentUei: uei?.ultimateParentUEI,
    parentDuns: duns?.globalParentDUNSNumber,
  });

  return compact<FpdsTransaction>({
    kind,
    awardKey: fpdsAwardKey({ kind, piid, agencyId, ...(parentPiid ? { parentPiid } : {}), ...(parentAgencyId ? { parentAgencyId } : {}) }),
    piid,
    agencyId,
    // FPDS writes "0" for the base award; an absent modNumber can only be the base too.
    modNumber: id.modNumber ?? '0',
    transactionNumber: id.transactionNumber,
    parentPiid,
    parentAgencyId,
    awardType: plain(data.contractData?.contractActionType?.description),
    contractingAgencyCode: contracting?.code || undefined,
    contractingAgencyName: plain(contracting?.name),
    contractingDepartmentName: plain(contracting?.departmentName),
    signedDate: dates?.signedDate?.date,
    signedAt: dates?.signedDate?.at,
    effectiveDate: dates?.effectiveDate?.date,
    currentCompletionDate: dates?.currentCompletionDate?.date,
    ultimateCompletionDate: dates?.ultimateCompletionDate?.date,
    lastDateToOrder: dates?.lastDateToOrder?.date,
    obligatedAmount: dollars?.obligatedAmount,
    baseAndExercisedOptionsValue: dollars?.baseAndExercisedOptionsValue,
    baseAndAllOptionsValue: dollars?.baseAndAllOptionsValue,
    totalObligatedAmount: totals?.totalObligatedAmount,
    totalBaseAndExercisedOptionsValue: totals?.totalBaseAndExercisedOptionsValue,
    totalBaseAndAllOptionsValue: totals?.totalBaseAndAllOptionsValue,
    psc: data.productOrServiceInformation?.productOrServiceCode?.code || undefined,
    naics: data.productOrServiceInformation?.principalNAICSCode?.code || undefined,
    description: plain(data.contractData?.descriptionOfContractRequirement, DESCRIPTION_LIMIT),
    vendor: vendorOut,
    lastModifiedDate: data.transactionInformation?.lastModifiedDate?.date,
    lastModifiedAt: data.transactionInformation?.lastModifiedDate?.at,
  });
}

/** `<award>`: a definitive contract, purchase order, delivery/task order or BPA call. */
export const fpdsAwardSchema = z
  .object({
    awardID: z.object({
      awardContractID: ownIdSchema,
      referencedIDVID: referencedIdvSchema.optional(),
    }),
    ...commonShape,
  })
  .transform((value, ctx) =>
    toTransaction('contract', value.awardID.awardContractID, value.awardID.referencedIDVID, value, ctx, ['awardID', 'awardContractID']),
  );

/** `<IDV>`: an indefinite delivery vehicle (IDC, BPA, FSS, GWAC, BOA). */
export const fpdsIdvSchema = z
  .object({
    contractID: z.object({
      IDVID: ownIdSchema,
      referencedIDVID: referencedIdvSchema.optional(),
    }),
    ...commonShape,
  })
  .transform((value, ctx) => toTransaction('idv', value.contractID.IDVID, value.contractID.referencedIDVID, value, ctx, ['contractID', 'IDVID']));

// ---- deleted actions ------------------------------------------------------------------------

/** An entry of FEEDNAME=DELETED: only the action's identity and when it was deleted are relied on. */
export interface FpdsDeletion {
  kind: FpdsKind;
  awardKey: string;
  piid: string;
  modNumber: string;
  transactionNumber?: string;
  lastModifiedAt?: string;
}

const deletionInfo = { transactionInformation: block(z.object({ lastModifiedDate: optionalDateTime })) };

function toDeletion(kind: FpdsKind, id: z.output<typeof ownIdSchema>, ref: z.output<typeof referencedIdvSchema> | undefined, lastModifiedAt: string | undefined): FpdsDeletion {
  const parentPiid = ref?.PIID;
  const parentAgencyId = parentPiid ? ref?.agencyID?.code || undefined : undefined;
  return compact<FpdsDeletion>({
    kind,
    awardKey: fpdsAwardKey({ kind, piid: id.PIID, agencyId: id.agencyID.code, ...(parentPiid ? { parentPiid } : {}), ...(parentAgencyId ? { parentAgencyId } : {}) }),
    piid: id.PIID,
    modNumber: id.modNumber ?? '0',
    transactionNumber: id.transactionNumber,
    lastModifiedAt,
  });
}

export const fpdsAwardDeletionSchema = z
  .object({ awardID: z.object({ awardContractID: ownIdSchema, referencedIDVID: block(referencedIdvSchema) }), ...deletionInfo })
  .transform((v) => toDeletion('contract', v.awardID.awardContractID, v.awardID.referencedIDVID, v.transactionInformation?.lastModifiedDate?.at));

export const fpdsIdvDeletionSchema = z
  .object({ contractID: z.object({ IDVID: ownIdSchema, referencedIDVID: block(referencedIdvSchema) }), ...deletionInfo })
  .transform((v) => toDeletion('idv', v.contractID.IDVID, v.contractID.referencedIDVID, v.transactionInformation?.lastModifiedDate?.at));
