import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { parseProposalMarker } from '../../scripts/github/marker.ts';
import {
  GITHUB_BODY_LIMIT,
  LABEL_ADD,
  LABEL_BOT,
  LABEL_STATUS,
  assertRepoPath,
  branchFor,
  carryOverChecks,
  renderProposal,
} from '../../scripts/github/render-proposal.ts';
import type { AwardEvidence } from '../../scripts/plan/types.ts';
import { addProposal, madeUpAward, realAwardees, realProposals, slug, statusProposal } from './proposal-fixtures.ts';

const md = new MarkdownIt({ html: true, linkify: true });

function deloitte() {
  const awardee = realAwardees().find((a) => a.uei === 'CKV2L9GZKJK3');
  if (!awardee) throw new Error('fixture changed: Deloitte (CKV2L9GZKJK3) not in the download');
  return awardee;
}

describe('renderProposal (add-company, real ICE awards)', () => {
  const awardee = deloitte();
  const proposal = addProposal({ id: slug(awardee.name), name: awardee.name, awards: awardee.awards, confidence: 0.97 });
  const rendered = renderProposal(proposal);

  it('uses the fixed branch, a factual title and the bot labels', () => {
    expect(rendered.branch).toBe('icewatch/add-deloitte-consulting-llp');
    expect(branchFor(proposal)).toBe(rendered.branch);
    expect(rendered.title).toBe('Add DELOITTE CONSULTING LLP: 4 active ICE awards');
    expect(rendered.labels).toEqual([LABEL_BOT, LABEL_ADD]);
    expect(rendered.draft).toBe(false);
    expect(rendered.files.map((f) => f.path)).toEqual([
      'data/registry/companies/deloitte-consulting-llp.yaml',
      'data/registry/evidence/deloitte-consulting-llp.json',
    ]);
  });

  it('starts with the hidden marker carrying id, kind and evidence hash', () => {
    expect(rendered.body.split('\n')[0]).toMatch(/^<!-- icewatch:proposal \{.*\} -->$/);
    expect(parseProposalMarker(rendered.body)).toEqual({
      id: 'deloitte-consulting-llp',
      kind: 'add-company',
      evidenceHash: proposal.evidenceHash,
      contentHash: rendered.marker.contentHash,
    });
  });

  it('words the claims cautiously and shows the match and the evidence table', () => {
    const body = rendered.body;
    expect(body).toContain(
      '- DELOITTE CONSULTING LLP was awarded `CONT_AWD_70CDCR20FR0000070_7012_GS00Q14OADU113_4732` by ICE (contract, active, runs until 2025-12-21).',
    );
    expect(body).toContain('| Match type | direct |');
    expect(body).toContain('| Method | uei |');
    expect(body).toContain('| Confidence | 0.97 |');
    expect(body).toContain('| Award key | Kind | Recipient | UEI | Obligated | Potential | Start | End | Status | Description | Record |');
    expect(body).toContain(
      '| `CONT_AWD_70CDCR20FR0000070_7012_GS00Q14OADU113_4732` | contract | DELOITTE CONSULTING LLP | `CKV2L9GZKJK3` | $57,939,605.86 | — | 2020-12-22 | 2025-12-21 | active | LAW ENFORCEMENT SYSTEMS AND ANALYSIS FOR ERO | [usaspending.gov](https://www.usaspending.gov/award/CONT_AWD_70CDCR20FR0000070_7012_GS00Q14OADU113_4732) |',
    );
    expect(body).toContain('### Reviewer checklist');
    expect(body.match(/^- \[ \] /gm)).toHaveLength(5);
    expect(body).not.toMatch(/works with ICE|is an ICE contractor/i);
  });

  it('is deterministic and its content hash follows the evidence', () => {
    expect(renderProposal(proposal)).toEqual(rendered);
    const more = addProposal({
      id: proposal.companyId,
      name: awardee.name,
      awards: [...awardee.awards, madeUpAward(awardee.awards[0]!, '0001')],
      confidence: 0.97,
    });
    const next = renderProposal(more);
    expect(next.marker.evidenceHash).not.toBe(rendered.marker.evidenceHash);
    expect(next.marker.contentHash).not.toBe(rendered.marker.contentHash);
    expect(next.title).toBe('Add DELOITTE CONSULTING LLP: 5 active ICE awards');
  });

  it('opens a draft only when the option is set and confidence is below it', () => {
    const low = addProposal({ id: 'celeen', name: 'CELEEN LLC', awards: realAwardees().find((a) => a.uei === 'FD9WGFKHHRL4')!.awards, confidence: 0.8 });
    expect(renderProposal(low).draft).toBe(false);
    expect(renderProposal(low, { draftBelowConfidence: 0.9 }).draft).toBe(true);
    expect(renderProposal(proposal, { draftBelowConfidence: 0.9 }).draft).toBe(false);
  });

  it('says what is new when a dismissed candidate comes back', () => {
    const extra = madeUpAward(awardee.awards[0]!, '0002');
    const back = addProposal({
      id: proposal.companyId,
      name: awardee.name,
      awards: [...awardee.awards, extra],
      newSinceDismissal: [extra.awardKey],
    });
    const body = renderProposal(back, { previousPullRequest: { number: 7, url: 'https://github.com/o/r/pull/7' } }).body;
    expect(body).toContain('### What is new');
    expect(body).toContain('This company was proposed before in #7 and the pull request was closed without merging. It is proposed again because of 1 new award:');
    expect(body).toContain(`- DELOITTE CONSULTING LLP was awarded \`${extra.awardKey}\` by ICE (contract, active, runs until 2026-01-14) — **new**.`);
    expect(body).toContain(`| \`${extra.awardKey}\` (new) |`);
  });

  it('refuses proposal files outside the repository tree', () => {
    expect(() => assertRepoPath('data/registry/companies/x.yaml')).not.toThrow();
    for (const bad of ['../x', '/etc/passwd', 'data/../../x', '.git/config', 'data/.GIT/hooks/x', 'a\\b', 'a//b', '']) {
      expect(() => assertRepoPath(bad), bad).toThrow(/outside the repository/);
    }
    const evil = { ...proposal, registryFile: { path: '../../outside.yaml', content: 'x' } };
    expect(() => renderProposal(evil)).toThrow(/outside the repository/);
  });
});

describe('renderProposal with hostile source text', () => {
  const hostileName = '@octocat Evil\u202Ecod.exe <script>alert(1)</script> fixes #123 [x](javascript:alert(1))';
  const hugeDescription = `${'<img src=x onerror=alert(1)> @team/all #42 '.repeat(2500)}`.slice(0, 100_000);
  const base = realAwardees()[0]!.awards[0]!;
  const awards: AwardEvidence[] = Array.from({ length: 1200 }, (_, i) => ({
    ...base,
    awardKey: `CONT_AWD_70CDCR22FR${String(i).padStart(7, '0')}_7012_47QRAD20D1155_4732`,
    recipientName: hostileName,
    // A few 100 KB descriptions (a real evidence file of 1,200 such awards would be 120 MB).
    description: i < 5 ? hugeDescription : hugeDescription.slice(i % 40, 400 + (i % 40)),
    url: i % 2 === 0 ? 'javascript:alert(document.cookie)' : base.url,
  }));
  const proposal = addProposal({
    id: 'evil-corp',
    name: hostileName,
    awards,
    mentions: [
      {
        source: 'companies-that-work-with-ice',
        list: 'listed <b>bold</b>',
        name: '@dependabot \u2066hidden\u2069 #1',
        url: 'javascript:alert(1)',
        evidenceUrl: 'data:text/html,<script>alert(1)</script>',
        note: `${'x'.repeat(100_000)}`,
      },
    ],
  });
  const rendered = renderProposal(proposal);
  const body = rendered.body;

  it('fits GitHub’s body limit and keeps the marker', () => {
    expect(hugeDescription.length).toBe(100_000);
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(parseProposalMarker(body)?.id).toBe('evil-corp');
    expect(rendered.omittedRows).toBeGreaterThan(0);
    expect(body).toContain(`did not fit in this description; all are in \`data/registry/evidence/evil-corp.json\`.`);
  });

  it('has no bidi or control characters', () => {
    expect(body).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(rendered.title).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('pings nobody and links no issue', () => {
    // A mention or reference needs "@name" / "#123" with nothing in between.
    expect(body).not.toMatch(/@[A-Za-z0-9]/);
    expect(body).not.toMatch(/(^|[^&\w])#\d/m);
    expect(rendered.title).not.toMatch(/@[A-Za-z0-9]|#\d/);
  });

  it('links nothing from a title: bare URLs are broken up', () => {
    const titled = renderProposal(addProposal({ id: 'url-corp', name: 'See https://github.com/o/r/issues/1 and www.example.com', awards: [base] }));
    expect(titled.title).not.toMatch(/https:\/\/|www\.example/);
    expect(titled.title.replace(/\u200b/g, '')).toContain('https://github.com/o/r/issues/1');
  });

  it('renders no raw HTML and no javascript: or data: link', () => {
    const html = md.render(body.split('\n').slice(1).join('\n'));
    expect(html).not.toMatch(/<script|<img|<b>|<[^>]*onerror/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(body).not.toMatch(/\]\((javascript|data):/i);
    // The safe half of the awards keep their usaspending.gov link.
    expect(html).toContain('href="https://www.usaspending.gov/award/');
  });

  it('caps each description', () => {
    const longest = Math.max(...body.split('\n').map((l) => l.length));
    expect(longest).toBeLessThan(2_000);
  });

  it('still fits when the limit is tiny (last-resort cut)', () => {
    const small = renderProposal(proposal, { bodyLimit: 3_000 });
    expect(small.body.length).toBeLessThanOrEqual(3_000);
    expect(parseProposalMarker(small.body)?.id).toBe('evil-corp');
  });
});

describe('renderProposal (status-change)', () => {
  const lukos = realAwardees().find((a) => a.uei === 'HB6GKZYMMW89')!;
  const proposal = statusProposal('lukos', lukos.name, lukos.awards, [{ path: 'data/registry/companies/lukos.yaml', content: 'id: lukos\n' }]);

  it('renders branch, title, cautious reason and a checklist', () => {
    const r = renderProposal(proposal);
    expect(r.branch).toBe('icewatch/status-lukos');
    expect(r.title).toBe('Update LUKOS, LLC: active → ended');
    expect(r.labels).toEqual([LABEL_BOT, LABEL_STATUS]);
    expect(r.body).toContain('## Status of LUKOS, LLC: active → ended');
    expect(r.body).toContain('According to the records icewatch reads');
    expect(r.body).toContain('Nothing is removed');
    expect(r.body).toContain(`\`${lukos.awards[0]!.awardKey}\``);
    expect(parseProposalMarker(r.body)).toMatchObject({ id: 'lukos', kind: 'status-change', evidenceHash: proposal.evidenceHash });
  });
});

describe('carryOverChecks', () => {
  it('keeps ticked items that are still in the new checklist', () => {
    const [p] = realProposals(1);
    const body = renderProposal(p!).body;
    const ticked = body.replace('- [ ] The awards are ICE awards', '- [x] The awards are ICE awards').replace(/\n/g, '\r\n');
    const next = carryOverChecks(ticked, body);
    expect(next).toContain('- [x] The awards are ICE awards');
    expect(next.match(/^- \[x\] /gm)).toHaveLength(1);
    expect(next.match(/^- \[ \] /gm)).toHaveLength(4);
    expect(carryOverChecks(undefined, body)).toBe(body);
  });
});
