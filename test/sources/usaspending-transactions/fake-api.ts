/**
 * A stateful fake of the two USAspending endpoints this source uses (made by the project, not a
 * recording): POST /api/v2/search/spending_by_transaction_count/ and /spending_by_transaction/, with the
 * request checks of the real views that matter here (sort must be among fields, award types of one
 * group, page past the result window is a 422). Tests change `listings`, `countFor` and `stopAfter`
 * between runs.
 */
import type { ServerResponse } from 'node:http';
import type { Handler, HandlerContext, LocalServer } from '../../helpers/local-server.ts';

export interface FakeRow {
  awardKey: string;
  piid: string;
  recipient: string;
  amount: number;
  date: string;
  mod?: string;
  naics?: string;
  psc?: string;
  description?: string;
}

export interface FakeApi {
  /** `${subtier name}|${fiscal year}|contracts|idvs` → rows. */
  listings: Map<string, FakeRow[]>;
  /** Overrides what the count endpoint says for a listing. */
  countFor: Map<string, number>;
  /** The listing says hasNext: false after this many rows (a listing that stops short). */
  stopAfter: Map<string, number>;
  countHandler: Handler;
  listHandler: Handler;
  install(server: LocalServer): void;
}

function send(res: ServerResponse, status: number, data: unknown): void {
  const body = Buffer.from(JSON.stringify(data));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
}

function listingKey(filters: Record<string, unknown>): string | { error: string } {
  const agencies = filters.agencies as Array<{ name?: string; tier?: string; type?: string }> | undefined;
  const codes = filters.award_type_codes as string[] | undefined;
  const period = (filters.time_period as Array<{ start_date: string; end_date: string }> | undefined)?.[0];
  if (!agencies?.[0]?.name || agencies[0].tier !== 'subtier' || agencies[0].type !== 'awarding') return { error: 'agencies: expected an awarding subtier' };
  if (!codes?.length) return { error: 'award_type_codes is required' };
  const idv = codes.every((c) => c.startsWith('IDV_'));
  if (!idv && codes.some((c) => c.startsWith('IDV_'))) return { error: 'award_type_codes must be one group' };
  if (!period) return { error: 'time_period expected' };
  const fy = Number(period.end_date.slice(0, 4));
  if (period.start_date !== `${fy - 1}-10-01` || period.end_date !== `${fy}-09-30`) return { error: 'time_period: expected one fiscal year' };
  return `${agencies[0].name}|${fy}|${idv ? 'idvs' : 'contracts'}`;
}

export function createFakeApi(): FakeApi {
  const api: FakeApi = {
    listings: new Map(),
    countFor: new Map(),
    stopAfter: new Map(),
    countHandler: (res, ctx: HandlerContext) => {
        const body = ctx.request.json as { filters?: Record<string, unknown> };
        const key = listingKey(body.filters ?? {});
        if (typeof key !== 'string') return send(res, 422, { detail: key.error });
        const n = api.countFor.get(key) ?? api.listings.get(key)?.length ?? 0;
        const group = key.endsWith('idvs') ? 'idvs' : 'contracts';
        send(res, 200, { results: { contracts: group === 'contracts' ? n : 0, idvs: group === 'idvs' ? n : 0, loans: 0, grants: 0, other: 0, direct_payments: 0 } });
    },
    listHandler: (res, ctx: HandlerContext) => {
        const body = ctx.request.json as { filters?: Record<string, unknown>; fields?: string[]; sort?: string; limit?: number; page?: number };
        const key = listingKey(body.filters ?? {});
        if (typeof key !== 'string') return send(res, 422, { detail: key.error });
        if (!body.sort || !body.fields?.includes(body.sort)) return send(res, 400, { detail: `Sort value not found in fields: ${body.sort}` });
        const limit = body.limit ?? 10;
        const page = body.page ?? 1;
        if ((page - 1) * limit >= 50_000) return send(res, 422, { detail: 'over the maximum result limit' });
        const all = [...(api.listings.get(key) ?? [])].sort((a, b) => b.amount - a.amount);
        const rows = all.slice(0, api.stopAfter.get(key) ?? all.length);
        const slice = rows.slice((page - 1) * limit, page * limit);
        const hasNext = page * limit < rows.length;
        const [agency] = key.split('|');
        send(res, 200, {
          limit,
          page_metadata: { page, hasNext, hasPrevious: page > 1, next: hasNext ? page + 1 : null, previous: page > 1 ? page - 1 : null },
          results: slice.map((r, i) => ({
            'Award ID': r.piid,
            Mod: r.mod ?? String(i),
            'Recipient Name': r.recipient,
            'Recipient UEI': null,
            recipient_id: null,
            'Action Date': r.date,
            'Transaction Amount': r.amount.toFixed(2),
            'Transaction Description': r.description ?? null,
            'Awarding Agency': 'Department of Homeland Security',
            'Awarding Sub Agency': agency,
            'Award Type': 'DELIVERY ORDER',
            NAICS: { code: r.naics ?? null, description: null },
            PSC: { code: r.psc ?? null, description: null },
            generated_internal_id: r.awardKey,
            internal_id: String(1000 + i),
          })),
          messages: [],
        });
    },
    install(server) {
      server.route('POST /api/v2/search/spending_by_transaction_count/', api.countHandler);
      server.route('POST /api/v2/search/spending_by_transaction/', api.listHandler);
    },
  };
  return api;
}

export const ICE = 'U.S. Immigration and Customs Enforcement';

/** `n` rows of one award, amounts n..1 (so the order by amount is known). */
export function rows(n: number, award: Partial<FakeRow> & { date: string }): FakeRow[] {
  return Array.from({ length: n }, (_, i) => ({
    awardKey: 'CONT_AWD_70CTD026FC0000012_7012_70RTAC26A00000001_7001',
    piid: '70CTD026FC0000012',
    recipient: 'EXAMPLE SYSTEMS LLC',
    amount: n - i,
    mod: `P${String(i).padStart(5, '0')}`,
    ...award,
  }));
}
