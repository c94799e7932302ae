/**
 * Techqueria's No Tech For ICE page: the lists it keeps and how one extracted entry becomes a `mention`.
 */
import { z } from 'zod';
import type { MentionRecord } from '../../records.ts';
import { plainAliasesSchema, plainNameSchema, plainNoteSchema, safeLinksSchema } from '../watchdog/extract.ts';

export const TECHQUERIA_SOURCE_ID = 'techqueria';

/** The page as readers see it; records point here whichever copy was fetched. */
export const TECHQUERIA_PAGE_URL = 'https://techqueria.org/no-tech-for-ice/';

/** The page's Markdown source (Hugo content file) in techqueria/website, on the default branch. */
export const TECHQUERIA_SOURCE_URL = 'https://raw.githubusercontent.com/techqueria/website/HEAD/content/about/no-tech-for-ice.md';

export const TECHQUERIA_LISTS = ['declined', 'past-partners', 'never-reached-out'] as const;
export type TechqueriaList = (typeof TECHQUERIA_LISTS)[number];

/** Section headings as the page words them → list ids. Compared with headingKey (case/punctuation-free). */
export const TECHQUERIA_LIST_HEADINGS: Record<string, TechqueriaList> = {
  declined: 'declined',
  'past partners': 'past-partners',
  'never reached out': 'never-reached-out',
};

/** The page's landmarks: its title, and the section the lists lived in (or the one that outlived them). */
export const TECHQUERIA_TITLE = 'No Tech For ICE';
export const TECHQUERIA_LISTS_SECTION = 'Companies Supporting ICE';
export const TECHQUERIA_CLOSING_SECTION = 'Call to Action';

export const techqueriaEntrySchema = z
  .object({
    list: z.enum(TECHQUERIA_LISTS),
    name: plainNameSchema,
    note: plainNoteSchema,
    aliases: plainAliasesSchema,
    links: safeLinksSchema,
  })
  .transform(
    (entry): MentionRecord => ({
      recordType: 'mention',
      source: TECHQUERIA_SOURCE_ID,
      list: entry.list,
      name: entry.name,
      url: TECHQUERIA_PAGE_URL,
      ...(entry.links[0] ? { evidenceUrl: entry.links[0] } : {}),
      ...(entry.note ? { note: entry.note } : {}),
      ...(entry.aliases ? { aliases: entry.aliases } : {}),
    }),
  );
export type TechqueriaEntry = z.input<typeof techqueriaEntrySchema>;
