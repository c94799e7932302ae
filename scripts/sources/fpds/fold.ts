/**
 * FPDS reports contract actions, the pipeline tracks awards: fold every action (base award and its
 * modifications) into one `award` record per award key.
 *
 * - amounts: the latest action's cumulative total* values when FPDS gives them (they cover actions
 *   outside the fetched window too); otherwise the sum of the per-action values we saw;
 * - dates, recipient, codes: from the latest action (latest by signed date, then last-modified time);
 *   a field the latest action leaves empty falls back to the newest action that has it;
 * - description: the base award's (a modification's usually says only what the modification did),
 *   else the latest one's.
 */
import { awardRecordSchema, usaspendingAwardUrl } from '../../records.ts';
import type { AwardRecord } from '../../records.ts';
import type { Removal } from '../types.ts';
import type { FpdsDeletion, FpdsTransaction } from './schema.ts';

function transactionId(tx: Pick<FpdsTransaction, 'awardKey' | 'modNumber' | 'transactionNumber'>): string {
  return `${tx.awardKey}\u0000${tx.modNumber}\u0000${tx.transactionNumber ?? '0'}`;
}

function compareOptional(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/** Oldest first; the last element is the latest action. */
export function compareTransactions(a: FpdsTransaction, b: FpdsTransaction): number {
  return (
    compareOptional(a.signedAt, b.signedAt) ||
    compareOptional(a.lastModifiedAt, b.lastModifiedAt) ||
    Number(b.modNumber === '0') - Number(a.modNumber === '0') ||
    compareOptional(a.modNumber, b.modNumber) ||
    compareOptional(a.transactionNumber, b.transactionNumber)
  );
}

/**
 * The same action can arrive twice (pages shift while FPDS is updated, or overlapping windows are
 * imported together); keep the version modified last.
 */
export function dedupeTransactions(transactions: readonly FpdsTransaction[]): FpdsTransaction[] {
  const byId = new Map<string, FpdsTransaction>();
  for (const tx of transactions) {
    const id = transactionId(tx);
    const seen = byId.get(id);
    if (!seen || compareOptional(seen.lastModifiedAt, tx.lastModifiedAt) <= 0) byId.set(id, tx);
  }
  return [...byId.values()];
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

function sum(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : cents(present.reduce((total, v) => total + v, 0));
}

export interface DeletionOutcome {
  /** Actions still standing after the deletions. */
  transactions: FpdsTransaction[];
  /** Awards whose base action FPDS deleted and of which nothing in the window remains. */
  removals: Removal[];
  /** Deleted modifications of awards not otherwise read: the award stays, the note says why. */
  notes: string[];
}

/**
 * Applies FEEDNAME=DELETED the way FPDS's loader does (data-act-broker-backend get_delete_data): a
 * deleted action removes the published one unless the published one is at least as recent (re-entered
 * after the deletion, or the same state). A deleted base action (mod 0) removes its award when nothing of it remains.
 */
export function applyDeletions(transactions: readonly FpdsTransaction[], deletions: readonly FpdsDeletion[]): DeletionOutcome {
  const latestDeletion = new Map<string, FpdsDeletion>();
  for (const deletion of deletions) {
    const id = transactionId(deletion);
    const seen = latestDeletion.get(id);
    if (!seen || compareOptional(seen.lastModifiedAt, deletion.lastModifiedAt) <= 0) latestDeletion.set(id, deletion);
  }
  const standing = dedupeTransactions(transactions).filter((tx) => {
    const deletion = latestDeletion.get(transactionId(tx));
    if (!deletion) return true;
    // The loader deletes only when the deletion is newer than the action it holds; the same timestamp
    // is the same state of the action, which stands.
    return deletion.lastModifiedAt !== undefined && tx.lastModifiedAt !== undefined && tx.lastModifiedAt >= deletion.lastModifiedAt;
  });
  const remaining = new Set(standing.map((tx) => tx.awardKey));
  const removals: Removal[] = [];
  const notes: string[] = [];
  for (const deletion of latestDeletion.values()) {
    if (remaining.has(deletion.awardKey)) continue;
    const when = deletion.lastModifiedAt ? ` on ${deletion.lastModifiedAt.slice(0, 10)}` : '';
    if (deletion.modNumber === '0') {
      removals.push({ key: deletion.awardKey, reason: `FPDS deleted the base action of ${deletion.piid}${when} (FEEDNAME=DELETED)` });
    } else {
      notes.push(`modification ${deletion.modNumber} of ${deletion.awardKey} deleted in FPDS${when}; the award stays (its other actions stand) and its figures may include it until it is read again`);
    }
  }
  removals.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { transactions: standing, removals, notes: notes.sort() };
}

/** Award keys whose description came from a modification because the base was not in the window. */
export function keysWithoutBase(transactions: readonly FpdsTransaction[]): string[] {
  const withBase = new Set(transactions.filter((tx) => tx.modNumber === '0').map((tx) => tx.awardKey));
  return [...new Set(transactions.map((tx) => tx.awardKey))].filter((key) => !withBase.has(key)).sort();
}

export function foldTransactions(transactions: readonly FpdsTransaction[], source: string): AwardRecord[] {
  const groups = new Map<string, FpdsTransaction[]>();
  for (const tx of dedupeTransactions(transactions)) {
    const group = groups.get(tx.awardKey);
    if (group) group.push(tx);
    else groups.set(tx.awardKey, [tx]);
  }

  const records: AwardRecord[] = [];
  for (const [awardKey, group] of groups) {
    group.sort(compareTransactions);
    const latest = group[group.length - 1];
    if (!latest) continue;
    const newestFirst = [...group].reverse();
    const pick = <K extends keyof FpdsTransaction>(field: K): FpdsTransaction[K] | undefined =>
      newestFirst.find((tx) => tx[field] !== undefined)?.[field];
    const base = group.find((tx) => tx.modNumber === '0');
    const lastModified = group
      .map((tx) => tx.lastModifiedDate)
      .filter((d): d is string => d !== undefined)
      .sort()
      .pop();

    const recipient = latest.vendor;
    const record: AwardRecord = {
      recordType: 'award',
      source,
      awardKey,
      piid: latest.piid,
      kind: latest.kind,
      recipient: {
        name: recipient.name,
        ...(recipient.uei ? { uei: recipient.uei } : {}),
        ...(recipient.duns ? { duns: recipient.duns } : {}),
        ...(recipient.parentName ? { parentName: recipient.parentName } : {}),
        ...(recipient.parentUei ? { parentUei: recipient.parentUei } : {}),
        ...(recipient.parentDuns ? { parentDuns: recipient.parentDuns } : {}),
      },
      amounts: {},
      url: usaspendingAwardUrl(awardKey),
    };
    const amounts = {
      obligated: latest.totalObligatedAmount ?? sum(group.map((tx) => tx.obligatedAmount)),
      current: latest.totalBaseAndExercisedOptionsValue ?? sum(group.map((tx) => tx.baseAndExercisedOptionsValue)),
      potential: latest.totalBaseAndAllOptionsValue ?? sum(group.map((tx) => tx.baseAndAllOptionsValue)),
    };
    for (const [name, value] of Object.entries(amounts)) {
      if (value !== undefined) record.amounts[name as keyof typeof amounts] = value;
    }
    const optional: Partial<AwardRecord> = {
      parentPiid: latest.parentPiid,
      awardType: pick('awardType'),
      start: pick('effectiveDate'),
      end: pick('currentCompletionDate') ?? pick('ultimateCompletionDate'),
      lastDateToOrder: pick('lastDateToOrder'),
      awardingAgency: pick('contractingDepartmentName'),
      awardingSubAgency: pick('contractingAgencyName'),
      awardingAgencyCode: pick('contractingAgencyCode'),
      naics: pick('naics'),
      psc: pick('psc'),
      description: base?.description ?? pick('description'),
      lastModified,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) (record as Record<string, unknown>)[name] = value;
    }
    // A record that breaks the shared contract is a bug here, not bad input: fail loudly.
    records.push(awardRecordSchema.parse(record));
  }
  return records.sort((a, b) => (a.awardKey < b.awardKey ? -1 : a.awardKey > b.awardKey ? 1 : 0));
}
