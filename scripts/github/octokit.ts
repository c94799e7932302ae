/**
 * Octokit with the throttling and retry plugins: writes are queued one at a time and spaced (one
 * second apart, three for writes that notify people, as GitHub's best practices ask), primary and
 * secondary rate-limit replies are waited out as the Retry-After / reset headers say, and 5xx
 * replies are retried with backoff. Nothing here reads the environment; the caller passes the token.
 */
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import type Bottleneck from 'bottleneck';
import { randomBytes } from 'node:crypto';

/** Octokit and its plugins are loaded with the first client: a run that never talks to GitHub does not pay for them. */
async function loadOctokit() {
  const [{ Octokit }, { retry }, { throttling }, { default: Limiter }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    import('bottleneck'),
  ]);
  return { IcewatchOctokit: Octokit.plugin(throttling, retry), Limiter };
}

let octokit: ReturnType<typeof loadOctokit> | undefined;

export type GitHubClient = InstanceType<Awaited<ReturnType<typeof loadOctokit>>['IcewatchOctokit']>;

export interface GitHubLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface GitHubClientOptions {
  token: string;
  /** REST API root; GitHub Enterprise or a local test server. Default https://api.github.com. */
  baseUrl?: string;
  userAgent?: string;
  /** How many times a rate-limited request is retried before the run gives up. Default 3. */
  rateLimitRetries?: number;
  /** The longest wait for a primary rate-limit reset the run accepts, in seconds. Default 900. */
  maxRateLimitWaitSeconds?: number;
  /**
   * Milliseconds per second of Retry-After and per unit of retry backoff. GitHub's headers are in
   * seconds, so this is 1000; tests set it to 1 to wait out a "retry-after: 60" in 60 ms.
   */
  retryAfterBaseMs?: number;
  /**
   * Minimum spacing between writes, and between writes that notify people. Defaults follow GitHub's
   * guidance (1000 and 3000 ms); tests against a local server set both to 0.
   */
  writeSpacingMs?: number;
  notificationSpacingMs?: number;
  /** Retries for 5xx/network failures. Default 3. */
  retries?: number;
  log?: GitHubLog;
}

const silent: GitHubLog = { debug() {}, info() {}, warn() {}, error() {} };

export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  octokit ??= loadOctokit();
  const { IcewatchOctokit, Limiter } = await octokit;
  const log = options.log ?? silent;
  const maxRetries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 900;
  const baseMs = options.retryAfterBaseMs ?? 1000;

  const throttle: ThrottlingOptions & { write?: Bottleneck.Group; notifications?: Bottleneck.Group } = {
    // A per-client id keeps the plugin's process-wide limiters from pacing unrelated clients together.
    id: `icewatch-${randomBytes(6).toString('hex')}`,
    retryAfterBaseValue: baseMs,
    onRateLimit: (retryAfter, request, _octokit, retryCount) => {
      if (retryCount >= maxRetries || retryAfter > maxWait) {
        log.warn(`GitHub rate limit on ${request.method} ${request.url}: giving up (reset in ${retryAfter}s)`);
        return false;
      }
      log.warn(`GitHub rate limit on ${request.method} ${request.url}: waiting ${retryAfter}s`);
      return true;
    },
    onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
      if (retryCount >= maxRetries) {
        log.warn(`GitHub secondary rate limit on ${request.method} ${request.url}: giving up after ${retryCount} retries`);
        return false;
      }
      log.warn(`GitHub secondary rate limit on ${request.method} ${request.url}: waiting ${retryAfter}s`);
      return true;
    },
  };
  if (options.writeSpacingMs !== undefined) {
    throttle.write = new Limiter.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs });
  }
  if (options.notificationSpacingMs !== undefined || options.writeSpacingMs !== undefined) {
    throttle.notifications = new Limiter.Group({
      maxConcurrent: 1,
      minTime: options.notificationSpacingMs ?? options.writeSpacingMs ?? 3000,
    });
  }

  return new IcewatchOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'icewatch',
    throttle,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: baseMs },
    // Octokit logs request failures at warn/error; route them through the caller's log so a token
    // can never reach stdout by another path (Octokit itself never logs the auth header).
    log: {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.info(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    },
  });
}

/** A failed Octokit request, recognised by shape (RequestError is not re-exported by @octokit/rest). */
export interface RequestFailure {
  status: number;
  message: string;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

export function isRequestFailure(error: unknown): error is RequestFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** The `errors[].message` strings of a 422 Validation Failed reply. */
export function validationMessages(error: unknown): string[] {
  if (!isRequestFailure(error)) return [];
  const data = error.response?.data as { errors?: Array<{ message?: unknown; code?: unknown; field?: unknown }> } | undefined;
  return (data?.errors ?? []).map((e) =>
    typeof e.message === 'string' ? e.message : [e.code, e.field].filter((x) => typeof x === 'string').join(' '),
  );
}
