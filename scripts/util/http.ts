/**
 * INTERFACE ONLY — implementation is being written (issue 3). Sources code against these types.
 */
export interface HttpRequest {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Overrides the client's default response size cap for this request. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Final URL after any (allowed) redirects. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpClient {
  /** Throws SourceUnavailableError after retries, SourceFormatError for a disallowed host/scheme. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** request() then JSON.parse; a body that is not JSON is a SourceFormatError naming the URL. */
  json<T = unknown>(req: HttpRequest): Promise<{ response: HttpResponse; data: T }>;
  /** Streams the body to `destPath` (for zips), enforcing the size cap. */
  download(req: HttpRequest, destPath: string): Promise<{ status: number; url: string; bytes: number }>;
}

export interface HttpClientOptions {
  sourceId: string;
  allowedHosts: string[];
  userAgent?: string;
  connectTimeoutMs?: number;
  /** Time allowed between body chunks and for headers. */
  bodyTimeoutMs?: number;
  maxBytes?: number;
  retries?: number;
  /** Base for exponential backoff (ms); jitter is added. */
  retryBaseMs?: number;
  /** Upper bound for any single wait, including Retry-After. */
  retryMaxWaitMs?: number;
  perHostConcurrency?: number;
  /** Tests only: allow plain http to loopback addresses (127.0.0.1, localhost, ::1). */
  allowLoopbackHttp?: boolean;
  /** Injectable for tests (undici MockAgent etc.). */
  dispatcher?: unknown;
  /** Injectable sleep so tests need not wait real time. */
  sleep?: (ms: number) => Promise<void>;
}

export function createHttpClient(_options: HttpClientOptions): HttpClient {
  throw new Error('createHttpClient: not implemented yet');
}
