/**
 * What a GitHub failure means for the run: which setting a person should change (the replies a
 * fresh repository gives), which failures make every further call fail too (stop, but keep what was
 * learned), and which may have happened after GitHub did the write (look before creating again).
 */
import { GitHubError } from '../util/errors.ts';
import { isRequestFailure } from './octokit.ts';

/** What a person should change, for the GitHub replies a fresh repository gives. */
export function explainFailure(error: unknown): string {
  const wrapped = asGitHubError(error);
  const message = wrapped instanceof Error ? wrapped.message : String(wrapped);
  const status = isRequestFailure(error) ? error.status : (wrapped as { details?: { status?: number } }).details?.status;
  if (/not permitted to create or approve pull requests/i.test(message)) {
    return `${message} — enable Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests", or install the icewatch GitHub App (README, GitHub set-up)`;
  }
  if (status === 410 && /issues/i.test(message)) {
    return `${message} — enable Settings → General → Features → Issues (the dashboard issue needs it)`;
  }
  if (status === 403 && /rate limit/i.test(message)) return `${message} — GitHub's rate limit; the next run continues`;
  if (status === 401) return `${message} — the token is invalid or expired`;
  return message;
}

/** Failures after which every further call would fail the same way: stop, keep what was learned. */
export function isFatal(error: unknown): boolean {
  if (!isRequestFailure(error)) return false;
  if (error.status === 401) return true;
  const headers = error.response?.headers ?? {};
  return (error.status === 403 || error.status === 429) && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(error.message));
}

export function isServerError(error: unknown): boolean {
  return !isRequestFailure(error) || error.status >= 500;
}

/** API failures become GitHubError (status and endpoint, never headers: the token stays out). */
export function asGitHubError(error: unknown): unknown {
  if (error instanceof GitHubError || !isRequestFailure(error)) return error;
  const request = (error as { request?: { method?: string; url?: string } }).request;
  const endpoint = request?.method && request.url ? `${request.method} ${new URL(request.url).pathname}` : undefined;
  const wrapped = new GitHubError(`${endpoint ?? 'request'} failed with ${error.status}: ${error.message}`, {
    status: error.status,
    ...(endpoint ? { endpoint } : {}),
  });
  return Object.assign(wrapped, { cause: error });
}
