/**
 * Injected file-system failures. faults.test.ts mocks node:fs/promises with pass-through wrappers
 * that ask `checkFsFault` first, so a case can make, say, the third rename under published/ fail the
 * way a full disk or a yanked volume would. Inert unless armed.
 */
export interface FsFault {
  op: 'writeFile' | 'rename';
  /** Which paths count (the target path for writeFile, the destination for rename). */
  match: (path: string) => boolean;
  /** Fail on this matching call (1-based); calls before it go through. */
  failOnCall: number;
  code: 'ENOSPC' | 'EIO' | 'EACCES';
}

let armed: FsFault | undefined;
let calls = 0;
/** Matching calls seen since arming, and whether the fault fired. */
export const fsFaultLog: { calls: string[]; fired?: string } = { calls: [] };

export function armFsFault(fault: FsFault): void {
  armed = fault;
  calls = 0;
  fsFaultLog.calls = [];
  delete fsFaultLog.fired;
}

export function disarmFsFault(): void {
  armed = undefined;
}

/** The error this call must fail with, if it is the armed one. */
export function fsFaultFor(op: FsFault['op'], path: string): NodeJS.ErrnoException | undefined {
  if (!armed || armed.op !== op || !armed.match(path)) return undefined;
  calls += 1;
  fsFaultLog.calls.push(path);
  if (calls !== armed.failOnCall) return undefined;
  fsFaultLog.fired = path;
  const error = new Error(`${armed.code}: injected ${op} failure, ${op} '${path}'`) as NodeJS.ErrnoException;
  error.code = armed.code;
  error.path = path;
  return error;
}

/** What a full disk leaves: the first half of the data, then the error. */
export function partialContent(data: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string') return data.slice(0, Math.floor(data.length / 2));
  if (data instanceof Uint8Array) return data.subarray(0, Math.floor(data.length / 2));
  return undefined;
}
