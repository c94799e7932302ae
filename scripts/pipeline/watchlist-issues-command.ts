/**
 * Acting on the watch-list issue plans a run made: in a dry run the comments are written under
 * reports/proposals/watchlists/<id>.md; a real run keeps each list's tracking issue and posts the comment.
 */
import { join } from 'node:path';
import { createGitHubClient } from '../github/octokit.ts';
import { syncWatchlistIssue } from '../github/watchlist-issue.ts';
import { writeIfChanged } from '../util/atomic-fs.ts';
import { GitHubError } from '../util/errors.ts';
import type { WatchlistIssuePlan } from '../watchlist/outputs.ts';
import type { GitHubSettings } from './propose-command.ts';

export async function applyWatchlistIssues(options: {
  plans: readonly WatchlistIssuePlan[];
  dryRun: boolean;
  reportsDir: string;
  github: GitHubSettings;
}): Promise<string> {
  const { plans } = options;
  if (plans.length === 0) return 'watch lists: no tracking issue configured';
  if (options.dryRun) {
    const written: string[] = [];
    for (const p of plans) {
      const file = join(options.reportsDir, 'proposals', 'watchlists', `${p.watchlistId}.md`);
      const content = `# ${p.title}\n\n## Issue body\n\n${p.body}\n## Comment this run would post\n\n${p.comment?.body ?? '(none: nothing new)\n'}`;
      if (await writeIfChanged(file, content)) written.push(file);
    }
    return `watch lists (dry run): ${plans.filter((p) => p.comment).length} comment(s) planned${written.length ? `, written under ${join(options.reportsDir, 'proposals', 'watchlists')}` : ''}`;
  }
  const { token, repository } = options.github;
  if (!token || !repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    throw new GitHubError('watch-list issues need GITHUB_TOKEN and GITHUB_REPOSITORY (owner/repo); use --dry-run to write them to files');
  }
  const [owner, repo] = repository.split('/') as [string, string];
  const client = await createGitHubClient({ token, ...(options.github.apiUrl ? { baseUrl: options.github.apiUrl } : {}) });
  const lines: string[] = [];
  for (const p of plans) {
    const r = await syncWatchlistIssue(client, { owner, repo }, p);
    lines.push(`  ${p.watchlistId}: issue #${r.number} ${r.issue}, comment ${r.comment}`);
  }
  return ['watch lists:', ...lines].join('\n');
}
