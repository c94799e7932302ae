import { stableStringify } from './stable-json.ts';

/**
 * The same bytes as `stableStringify(value, 2)`, produced in pieces so a document larger than V8's maximum
 * string length (about 512 MiB) can still be written. Object keys are sorted at every depth.
 */
export function* stableJsonChunks(value: unknown, indent = 2, depth = 0): Generator<string> {
  const pad = ' '.repeat(indent * (depth + 1));
  const close = ' '.repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield pad;
      const item = value[i];
      // JSON.stringify writes null for undefined or function array members.
      if (item === undefined || typeof item === 'function') yield 'null';
      else yield* stableJsonChunks(item, indent, depth + 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${close}]`;
    return;
  }
  if (value && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const keys = Object.keys(value)
      .filter((k) => {
        const v = (value as Record<string, unknown>)[k];
        return v !== undefined && typeof v !== 'function';
      })
      .sort();
    if (keys.length === 0) {
      yield '{}';
      return;
    }
    yield '{\n';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      yield `${pad}${JSON.stringify(key)}: `;
      yield* stableJsonChunks((value as Record<string, unknown>)[key], indent, depth + 1);
      yield i < keys.length - 1 ? ',\n' : '\n';
    }
    yield `${close}}`;
    return;
  }
  yield JSON.stringify(value) ?? 'null';
}

/**
 * The same bytes as `stableStringify(value)` (one line), in pieces: objects and arrays are split down to
 * `splitDepth` levels and each deeper value is one piece. check-index.json at full history is written so.
 */
export function* compactStableJsonChunks(value: unknown, splitDepth = 2): Generator<string> {
  const splittable = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  if (splitDepth <= 0 || !splittable) {
    yield stableStringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (i > 0) yield ',';
      if (item === undefined || typeof item === 'function') yield 'null';
      else yield* compactStableJsonChunks(item, splitDepth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function') continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* compactStableJsonChunks(v, splitDepth - 1);
  }
  yield '}';
}
