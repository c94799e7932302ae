/**
 * Attribution: which registry company each award and watchdog mention belongs to. Only matches at or
 * above the proposal threshold attribute anything; weaker ones wait in the review queue; records with no
 * match at all are what candidate detection looks at.
 */
import { awardInput } from '../match/matcher.ts';
import { PROPOSAL_THRESHOLD, type Match, type Matcher } from '../match/types.ts';
import type { AwardRecord, MentionRecord } from '../records.ts';
import type { ReviewItem } from './types.ts';
import { appendTo } from '../util/group.ts';

export interface AttributedAward {
  award: AwardRecord;
  match: Match;
}

export interface AttributedMention {
  mention: MentionRecord;
  match: Match;
}

export interface Attribution {
  /** Direct and subsidiary awards per company id. */
  awards: Map<string, AttributedAward[]>;
  /** Awards bought through a reseller that name the company's products: a lower bound, never "direct". */
  resellerAwards: Map<string, AttributedAward[]>;
  mentions: Map<string, AttributedMention[]>;
  review: ReviewItem[];
  unmatchedAwards: AwardRecord[];
  unmatchedMentions: MentionRecord[];
}

export function attribute(awards: AwardRecord[], mentions: MentionRecord[], matcher: Matcher): Attribution {
  const result: Attribution = {
    awards: new Map(),
    resellerAwards: new Map(),
    mentions: new Map(),
    review: [],
    unmatchedAwards: [],
    unmatchedMentions: [],
  };
  for (const award of awards) {
    const detailed = matcher.matchDetailed?.(awardInput(award));
    const matches = detailed ? detailed.matches : matcher.matchAward(award);
    // Most of a full history matches nothing.
    if (matches.length === 0) {
      if (detailed && detailed.notes.length > 0) {
        // A registry unit before its acquisition (or after its sale) is known, not a new candidate.
        result.review.push(awardReviewItem(award, [], detailed.notes.map((n) => n.text).join('; ')));
      } else result.unmatchedAwards.push(award);
      continue;
    }
    const strong = matches.filter((m) => m.confidence >= PROPOSAL_THRESHOLD);
    const weak = matches.filter((m) => m.confidence < PROPOSAL_THRESHOLD);
    for (const match of strong) {
      const target = match.relation === 'via-reseller' ? result.resellerAwards : result.awards;
      appendTo(target, match.companyId, { award, match });
    }
    if (weak.length > 0 && !strong.some((m) => m.relation !== 'via-reseller')) {
      result.review.push(awardReviewItem(award, weak.map(pickMatch)));
    }
  }
  for (const mention of mentions) {
    const matches = matcher.matchMention(mention);
    const strong = matches.filter((m) => m.confidence >= PROPOSAL_THRESHOLD);
    for (const match of strong) appendTo(result.mentions, match.companyId, { mention, match });
    if (strong.length === 0 && matches.length > 0) {
      result.review.push({
        kind: 'mention',
        name: mention.name,
        source: mention.source,
        list: mention.list,
        url: mention.evidenceUrl ?? mention.url,
        matches: matches.map(pickMatch),
      });
    }
    if (matches.length === 0) result.unmatchedMentions.push(mention);
  }
  return result;
}

/** An award a maintainer should look at, under the recipient's raw spelling. */
export function awardReviewItem(award: AwardRecord, matches: ReviewItem['matches'], note?: string): ReviewItem {
  return {
    kind: 'award',
    name: award.recipient.name,
    source: award.source,
    awardKey: award.awardKey,
    url: award.url,
    matches,
    ...(note === undefined ? {} : { note }),
  };
}

function pickMatch(m: Match): ReviewItem['matches'][number] {
  return { companyId: m.companyId, relation: m.relation, confidence: m.confidence, method: m.method, reason: m.reason };
}
