import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWatchlistIssues } from '../../scripts/pipeline/watchlist-issues-command.ts';

describe('applyWatchlistIssues', () => {
  it('writes the planned comment under reports/proposals/watchlists/ in a dry run, and needs a token otherwise', async () => {
    const reportsDir = await mkdtemp(join(tmpdir(), 'icewatch-watch-issues-'));
    try {
      const plans = [{ watchlistId: 'sponsors', title: 'icewatch watch list: S', body: '<!-- icewatch:watchlist:sponsors -->\nbody\n', comment: { key: 'k', body: '<!-- icewatch:watchlist-events:k -->\n### 1 change\n' } }];
      expect(await applyWatchlistIssues({ plans: [], dryRun: true, reportsDir, github: {} })).toBe('watch lists: no tracking issue configured');
      expect(await applyWatchlistIssues({ plans, dryRun: true, reportsDir, github: {} })).toMatch(/^watch lists \(dry run\): 1 comment\(s\) planned, written under /);
      const file = await readFile(join(reportsDir, 'proposals', 'watchlists', 'sponsors.md'), 'utf8');
      expect(file).toContain('## Comment this run would post\n\n<!-- icewatch:watchlist-events:k -->');
      // Same plan again: the file is unchanged, so nothing is said to be written.
      expect(await applyWatchlistIssues({ plans, dryRun: true, reportsDir, github: {} })).toBe('watch lists (dry run): 1 comment(s) planned');
      await expect(applyWatchlistIssues({ plans, dryRun: false, reportsDir, github: {} })).rejects.toThrow(/need GITHUB_TOKEN and GITHUB_REPOSITORY/);
    } finally {
      await rm(reportsDir, { recursive: true, force: true });
    }
  });
});
