/**
 * The few typed errors the pipeline raises. Each message should tell a person what to do next;
 * `cli.ts` maps them to exit codes and annotations.
 */

export class IcewatchError extends Error {
  override name = 'IcewatchError';
}

/** The network or the remote service failed (DNS, reset, timeout, 5xx after retries, 429 storm). */
export class SourceUnavailableError extends IcewatchError {
  override name = 'SourceUnavailableError';
  constructor(
    readonly sourceId: string,
    message: string,
    readonly details: { url?: string; status?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(`source ${sourceId} unavailable: ${message}`);
  }
}

/** The source answered, but not in the shape we know. `path` names the file/field/row. */
export class SourceFormatError extends IcewatchError {
  override name = 'SourceFormatError';
  constructor(
    readonly sourceId: string,
    message: string,
    readonly details: { file?: string; path?: string; line?: number; column?: string } = {},
  ) {
    const where = [details.file, details.line === undefined ? undefined : `line ${details.line}`, details.column ? `column ${details.column}` : undefined, details.path ? `field ${details.path}` : undefined]
      .filter(Boolean)
      .join(', ');
    super(`source ${sourceId} format: ${where ? `${where}: ` : ''}${message}`);
  }
}

export interface RegistryProblem {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

/** The curated registry is invalid; carries every problem found, not just the first. */
export class RegistryError extends IcewatchError {
  override name = 'RegistryError';
  constructor(readonly problems: RegistryProblem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(
      `registry has ${errors.length} error(s):\n` +
        errors.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'),
    );
  }
}

/** A GitHub API or git operation failed in a way the run cannot recover from. */
export class GitHubError extends IcewatchError {
  override name = 'GitHubError';
  constructor(
    message: string,
    readonly details: { status?: number; endpoint?: string } = {},
  ) {
    super(`GitHub: ${message}`);
  }
}

/**
 * The data directory or an output folder cannot be read or written as it should (read-only, full disk,
 * a link where a managed folder should be, a corrupt snapshot or state file, another writer holding it).
 */
export class StoreError extends IcewatchError {
  override name = 'StoreError';
  /** The file-system error code behind it (ENOSPC, EACCES …), as on Node's own errors. */
  readonly code?: string;
  constructor(
    message: string,
    readonly details: { file?: string; code?: string } = {},
  ) {
    super(message);
    if (details.code) this.code = details.code;
  }
}

/** A file-system failure while writing `path`, as a StoreError that says what to fix. */
export function fsStoreError(error: unknown, path: string, verb = 'write'): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const what: Record<string, string> = {
    EACCES: `cannot ${verb} ${path} (EACCES): the folder is read-only or not yours; make it writable, or point --data/--reports elsewhere, and run again`,
    EPERM: `cannot ${verb} ${path} (EPERM): the folder is read-only or not yours; make it writable, or point --data/--reports elsewhere, and run again`,
    EROFS: `cannot ${verb} ${path} (EROFS): the file system is mounted read-only; point --data/--reports at a writable folder`,
    ENOSPC: `the disk is full writing ${path} (ENOSPC); free space and run again (the previous files are intact)`,
    EDQUOT: `the disk quota is exhausted writing ${path} (EDQUOT); free space and run again (the previous files are intact)`,
    ENOTDIR: `cannot ${verb} ${path} (ENOTDIR): a folder on its path is a file; check --data/--reports`,
    EISDIR: `cannot ${verb} ${path} (EISDIR): a folder is where this file should be; move it away and run again`,
  };
  const message = (code && what[code]) ?? `cannot ${verb} ${path} (${code ?? (error as Error).message})`;
  return new StoreError(message, { file: path, ...(code ? { code } : {}) });
}

/** Bad command-line usage: printed with the command's usage. */
export class UsageError extends IcewatchError {
  override name = 'UsageError';
}
