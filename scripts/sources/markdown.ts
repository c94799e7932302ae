/**
 * The README's table of sources, generated from the declarations (`icewatch sources --markdown`), so
 * hosts, import formats and documented limits are stated once, where the code reads them.
 */
import type { SourceDefinition, SourceLimit } from './types.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function formatValue(value: SourceLimit['value']): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}

export function limitsCell(limits: readonly SourceLimit[] | undefined): string {
  if (!limits || limits.length === 0) return '—';
  return limits.map((limit) => `${cell(limit.name)}: ${cell(formatValue(limit.value))}${limit.unit ? ` ${cell(limit.unit)}` : ''}`).join('; ');
}

export function sourcesMarkdown(sources: Iterable<SourceDefinition>): string {
  const lines = ['| id | source | kind | hosts | documented limits | `--from` imports |', '|---|---|---|---|---|---|'];
  for (const s of sources) {
    lines.push(`| \`${s.id}\` | [${cell(s.title)}](${s.homepage}) | ${s.kind} | ${s.hosts.join(', ')} | ${limitsCell(s.limits)} | ${cell(s.importFormats)} |`);
  }
  return `${lines.join('\n')}\n`;
}
