/**
 * companies-that-work-with-ice.com: one list of names ("The Companies"); a few entries link to their
 * award on usaspending.gov, which become award references for matching.
 */
import { z } from 'zod';
import type { MentionRecord } from '../../records.ts';
import { plainAliasesSchema, plainNameSchema, plainNoteSchema, safeLinksSchema } from '../watchdog/extract.ts';

export const CTWWI_SOURCE_ID = 'companies-that-work-with-ice';

export const CTWWI_PAGE_URL = 'https://companies-that-work-with-ice.com/';

/**
 * The list's source file. The repository, first published as hankchizljaw/companies-that-work-with-ice,
 * now lives under Andy-set-studio; HEAD resolves to its default branch.
 */
export const CTWWI_SOURCE_URL = 'https://raw.githubusercontent.com/Andy-set-studio/companies-that-work-with-ice/HEAD/src/index.md';

export const CTWWI_LIST = 'listed';
export const CTWWI_TITLE = 'Companies that work with ICE';
export const CTWWI_SECTION = 'The Companies';

const USASPENDING_HOSTS = new Set(['usaspending.gov', 'www.usaspending.gov']);
/** A generated award id (CONT_AWD_…, CONT_IDV_…, ASST_…) or the numeric internal id of the old pages. */
const AWARD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

export interface AwardRef {
  id: string;
  /** The link was not in a form usaspending.gov routes, but its intent is unambiguous (e.g. "#ward/123"). */
  malformed: boolean;
}

/**
 * The award a usaspending.gov link points to. Handles the current `/award/<generated id>` pages and the
 * old single-page-app `/#/award/<internal id>` form; the API's /api/v2/awards/{award_id}/ accepts both.
 */
export function usaspendingAwardRef(href: string): AwardRef | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (!USASPENDING_HOSTS.has(url.hostname.toLowerCase())) return undefined;
  const candidates: Array<[RegExp, string, boolean]> = [
    [/^#\/award\/([^/?#]+)\/?$/, url.hash, false],
    [/^\/award\/([^/?#]+)\/?$/, url.pathname, false],
    // A slip seen in the list itself ("#ward/83642945"): a numeric id after a mangled "#/award/".
    [/^#\/?a?wards?\/(\d+)\/?$/i, url.hash, true],
  ];
  for (const [pattern, part, malformed] of candidates) {
    const match = pattern.exec(part);
    if (!match) continue;
    let id: string;
    try {
      id = decodeURIComponent(match[1] ?? '');
    } catch {
      continue;
    }
    if (AWARD_ID.test(id)) return { id, malformed };
  }
  return undefined;
}

export const ctwwiEntrySchema = z
  .object({
    name: plainNameSchema,
    note: plainNoteSchema,
    aliases: plainAliasesSchema,
    links: safeLinksSchema,
  })
  .transform((entry): MentionRecord => {
    const awardRefs: string[] = [];
    for (const link of entry.links) {
      const ref = usaspendingAwardRef(link);
      if (ref && !awardRefs.includes(ref.id)) awardRefs.push(ref.id);
    }
    return {
      recordType: 'mention',
      source: CTWWI_SOURCE_ID,
      list: CTWWI_LIST,
      name: entry.name,
      url: CTWWI_PAGE_URL,
      ...(entry.links[0] ? { evidenceUrl: entry.links[0] } : {}),
      ...(entry.note ? { note: entry.note } : {}),
      ...(entry.aliases ? { aliases: entry.aliases } : {}),
      ...(awardRefs.length ? { awardRefs } : {}),
    };
  });
