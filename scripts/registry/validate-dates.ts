/**
 * Rules on ownership dates (`since`/`until` of units, parents, product terms and identifiers). The
 * cross-company rule — one unit never owned by two companies at once — lives with the duplicate-name
 * and duplicate-identifier rules in validate.ts, which skip successive owners whose ranges do not overlap.
 */
import { describeRange, identifierRange, isDated, rangeOf, within, type DateRange } from './ownership.ts';
import type { Company } from './schema.ts';
import type { CompanyFile, Finding, PathSegment, RegistryRule, RuleContext } from './validate.ts';

type ParsedFile = CompanyFile & { company: Company };

function parsed(ctx: RuleContext): ParsedFile[] {
  return ctx.files.filter((f): f is ParsedFile => f.company !== undefined);
}

function at(file: CompanyFile, path: readonly PathSegment[], message: string): Finding {
  return { file: file.file, line: file.lineOf(path), message };
}

interface DatedNode {
  path: PathSegment[];
  /** What the range belongs to, for the message. */
  label: string;
  range: DateRange;
  sinceKey: string;
  untilKey: string;
}

const ID_KINDS = ['uei', 'duns', 'cage'] as const;

function datedNodes(c: Company): DatedNode[] {
  const out: DatedNode[] = [];
  const ids = (ids: Company['identifiers'], base: PathSegment[]) => {
    for (const kind of ID_KINDS) {
      (ids?.[kind] ?? []).forEach((id, i) => {
        const sinceKey = id.since !== undefined ? 'since' : 'validFrom';
        const untilKey = id.until !== undefined ? 'until' : 'validTo';
        out.push({ path: [...base, kind, i], label: `${kind.toUpperCase()} "${id.value}"`, range: identifierRange(id), sinceKey, untilKey });
      });
    }
  };
  ids(c.identifiers, ['identifiers']);
  (c.subsidiaries ?? []).forEach((sub, i) => {
    out.push({ path: ['subsidiaries', i], label: `unit "${sub.name}"`, range: rangeOf(sub), sinceKey: 'since', untilKey: 'until' });
    ids(sub.identifiers, ['subsidiaries', i, 'identifiers']);
  });
  (c.products ?? []).forEach((p, i) =>
    out.push({ path: ['products', i], label: `product term "${p.term}"`, range: rangeOf(p), sinceKey: 'since', untilKey: 'until' }),
  );
  if (c.since !== undefined || c.until !== undefined) {
    out.push({ path: [], label: `company "${c.id}"`, range: rangeOf(c), sinceKey: 'since', untilKey: 'until' });
  }
  if (c.parentSince !== undefined || c.parentUntil !== undefined) {
    out.push({
      path: [],
      label: `ownership by parent "${c.parent ?? '?'}"`,
      range: { ...(c.parentSince ? { since: c.parentSince } : {}), ...(c.parentUntil ? { until: c.parentUntil } : {}) },
      sinceKey: 'parentSince',
      untilKey: 'parentUntil',
    });
  }
  return out;
}

export const ownershipRules: readonly RegistryRule[] = [
  {
    name: 'ownership-date-order',
    severity: 'error',
    description: 'an ownership range (since/until) ends after it starts',
    *check(ctx) {
      for (const file of parsed(ctx)) {
        for (const node of datedNodes(file.company)) {
          // validFrom/validTo alone keep their older warning (identifier-dates in validate.ts).
          if (node.sinceKey === 'validFrom' && node.untilKey === 'validTo') continue;
          const { since, until } = node.range;
          if (since !== undefined && until !== undefined && until <= since) {
            yield at(file, [...node.path, node.untilKey], `${node.label} ends (${until}) on or before it starts (${since}); \`until\` is the first day it no longer holds`);
          }
        }
      }
    },
  },
  {
    name: 'ownership-date-spelling',
    severity: 'error',
    description: 'an identifier uses since/until or validFrom/validTo, not both',
    *check(ctx) {
      for (const file of parsed(ctx)) {
        const check = function* (ids: Company['identifiers'], base: PathSegment[]) {
          for (const kind of ID_KINDS) {
            for (const [i, id] of (ids?.[kind] ?? []).entries()) {
              if (id.since !== undefined && id.validFrom !== undefined) {
                yield at(file, [...base, kind, i, 'validFrom'], `${kind.toUpperCase()} "${id.value}" has both since and validFrom; keep since`);
              }
              if (id.until !== undefined && id.validTo !== undefined) {
                yield at(file, [...base, kind, i, 'validTo'], `${kind.toUpperCase()} "${id.value}" has both until and validTo; keep until`);
              }
            }
          }
        };
        yield* check(file.company.identifiers, ['identifiers']);
        for (const [i, sub] of (file.company.subsidiaries ?? []).entries()) yield* check(sub.identifiers, ['subsidiaries', i, 'identifiers']);
      }
    },
  },
  {
    name: 'ownership-source',
    severity: 'error',
    description: 'a dated unit cites where its dates come from; parentSince/parentUntil need a parent',
    *check(ctx) {
      for (const file of parsed(ctx)) {
        const c = file.company;
        for (const [i, sub] of (c.subsidiaries ?? []).entries()) {
          if (isDated(rangeOf(sub)) && sub.source === undefined) {
            yield at(file, ['subsidiaries', i], `unit "${sub.name}" has ownership dates but no \`source\` (the filing or announcement of the acquisition)`);
          }
        }
        if ((c.parentSince !== undefined || c.parentUntil !== undefined) && c.parent === undefined) {
          yield at(file, [c.parentSince !== undefined ? 'parentSince' : 'parentUntil'], 'parentSince/parentUntil are set but `parent` is not');
        }
      }
    },
  },
  {
    name: 'ownership-unit-identifiers',
    severity: 'error',
    description: "a unit's identifiers are dated within the time the company owned the unit",
    *check(ctx) {
      for (const file of parsed(ctx)) {
        for (const [i, sub] of (file.company.subsidiaries ?? []).entries()) {
          const owned = rangeOf(sub);
          if (!isDated(owned)) continue;
          for (const kind of ID_KINDS) {
            for (const [j, id] of (sub.identifiers?.[kind] ?? []).entries()) {
              const range = identifierRange(id);
              if (!isDated(range) || within(range, owned)) continue;
              yield at(
                file,
                ['subsidiaries', i, 'identifiers', kind, j],
                `${kind.toUpperCase()} "${id.value}" of unit "${sub.name}" is dated ${describeRange(range)}, outside the time ${file.company.id} owned the unit (${describeRange(owned)}): list it under the owner of that time`,
              );
            }
          }
        }
      }
    },
  },
  {
    name: 'ownership-before-existence',
    severity: 'error',
    description: 'a unit is not owned, nor a company parented, before the owner exists in the record (its `since`)',
    *check(ctx) {
      const files = parsed(ctx);
      const byId = new Map<string, Company>();
      for (const f of files) if (!byId.has(f.company.id)) byId.set(f.company.id, f.company);
      for (const file of files) {
        const c = file.company;
        if (c.since !== undefined) {
          for (const [i, sub] of (c.subsidiaries ?? []).entries()) {
            if (sub.since !== undefined && sub.since < c.since) {
              yield at(file, ['subsidiaries', i, 'since'], `unit "${sub.name}" is owned since ${sub.since}, before ${c.id} itself exists in the record (since ${c.since})`);
            }
          }
        }
        const parent = c.parent === undefined ? undefined : byId.get(c.parent);
        if (parent?.since !== undefined && (c.parentSince === undefined || c.parentSince < parent.since)) {
          yield at(
            file,
            [c.parentSince !== undefined ? 'parentSince' : 'parent'],
            `${c.parent} exists in the record only since ${parent.since}, so it cannot own ${c.id} ${c.parentSince === undefined ? 'at all times: add parentSince' : `since ${c.parentSince}`}`,
          );
        }
      }
    },
  },
  {
    name: 'ownership-parent-agrees',
    severity: 'error',
    description: "a unit with its own file and a parentSince agrees with the parent's listing of it",
    *check(ctx) {
      const files = parsed(ctx);
      const byId = new Map<string, ParsedFile>();
      for (const f of files) if (!byId.has(f.company.id)) byId.set(f.company.id, f);
      for (const file of files) {
        const c = file.company;
        if (c.parent === undefined) continue;
        const parent = byId.get(c.parent)?.company;
        const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
        const listed = (parent?.subsidiaries ?? []).find((s) => norm(s.name) === norm(c.name));
        if (!listed) continue;
        if ((listed.since ?? c.parentSince) !== (c.parentSince ?? listed.since) || (listed.until ?? c.parentUntil) !== (c.parentUntil ?? listed.until)) {
          yield at(
            file,
            [c.parentSince !== undefined ? 'parentSince' : 'parent'],
            `${c.parent} lists "${listed.name}" ${describeRange(rangeOf(listed))}, but this file says ${describeRange({ ...(c.parentSince ? { since: c.parentSince } : {}), ...(c.parentUntil ? { until: c.parentUntil } : {}) })}`,
          );
        }
      }
    },
  },
];
