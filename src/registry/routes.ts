// HTTP routes of the registries under /api/v1/registry. Thin: authenticate, parse, call the
// domain function. Reads: any authenticated principal; writes: operator or officer (an officer
// only within their province). CSV import (operator only) takes `text/csv` (≤ 5 MiB).
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/index.ts';
import { requireActor, type Actor } from '../access/index.ts';
import { ProblemError } from '../errors/index.ts';
import { REG } from './errors.ts';
import { CSV_MAX_BYTES } from './csv.ts';
import { exportCsv, facilityCertificates, get, importCsv, issueFacilityCode, kindOf, list, upsert, type RegistryKind } from './registry.ts';

interface Ctx {
  db: Db;
  config?: { operatorToken?: string };
}

const WRITERS = ['operator', 'officer'];

function kindParam(s: string): RegistryKind {
  const k = ['facilities', 'pharmacies', 'practitioners'].includes(s) ? kindOf(s) : null;
  if (!k) throw ProblemError.of(REG.REG_NOT_FOUND, 'kind', { what: s.slice(0, 40) });
  return k;
}

function checkProvince(a: Actor, province: unknown): void {
  if (a.role === 'officer' && a.province && a.province !== 'nation' && province && province !== a.province) throw ProblemError.of(REG.REG_FORBIDDEN, 'province');
}

export default async function routes(app: FastifyInstance, ctx: Ctx) {
  const db = ctx.db;
  const who = (req: { headers: Record<string, any> }, roles: string[] | null = null) => requireActor(db, req.headers.authorization, roles, { operatorToken: ctx.config?.operatorToken });

  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: CSV_MAX_BYTES }, (_req, body, done) => done(null, body));

  app.get<{ Params: { kind: string } }>('/api/v1/registry/:kind', async (req, reply) => {
    const kind = kindParam(req.params.kind);
    await who(req);
    const q = req.query as Record<string, string | undefined>;
    const filter = { province: q.province, district: q.district, macskcb: q.macskcb, status: q.status, q: q.q, limit: Number(q.limit) || undefined, offset: Number(q.offset) || undefined };
    if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${req.params.kind}.csv"`).send(await exportCsv(db, kind, filter));
    return list(db, kind, filter);
  });
  app.get<{ Params: { kind: string; key: string } }>('/api/v1/registry/:kind/:key', async (req) => {
    const kind = kindParam(req.params.kind);
    await who(req);
    const row = await get(db, kind, req.params.key);
    return kind === 'facility' ? { ...row, certificates: await facilityCertificates(db, row.macskcb) } : row;
  });
  app.get<{ Params: { key: string } }>('/api/v1/registry/facilities/:key/certificates', async (req) => {
    await who(req);
    return { macskcb: req.params.key, certificates: await facilityCertificates(db, req.params.key) };
  });
  app.put<{ Params: { kind: string; key: string } }>('/api/v1/registry/:kind/:key', async (req, reply) => {
    const kind = kindParam(req.params.kind);
    const a = await who(req, WRITERS);
    const b = (req.body ?? {}) as Record<string, unknown>;
    checkProvince(a, b.province);
    const keyName = kind === 'facility' ? 'macskcb' : kind === 'pharmacy' ? 'code' : 'licence';
    const r = await upsert(db, kind, { ...b, [keyName]: req.params.key });
    return reply.status(r.created ? 201 : 200).send(r.row);
  });
  app.post<{ Params: { kind: string } }>('/api/v1/registry/:kind', async (req, reply) => {
    const kind = kindParam(req.params.kind);
    const a = await who(req, WRITERS);
    const b = (req.body ?? {}) as Record<string, unknown>;
    checkProvince(a, b.province);
    const r = await upsert(db, kind, b);
    return reply.status(r.created ? 201 : 200).send(r.row);
  });
  // Issue a facility code (MACSKCB) to a facility that has none.
  app.post('/api/v1/registry/facilities/issue', async (req, reply) => {
    const a = await who(req, WRITERS);
    const b = (req.body ?? {}) as Record<string, unknown>;
    checkProvince(a, b.province);
    return reply.status(201).send(await issueFacilityCode(db, b));
  });
  app.post<{ Params: { kind: string } }>('/api/v1/registry/:kind/import', async (req, reply) => {
    const kind = kindParam(req.params.kind);
    // bulk import spans provinces: operators only
    await who(req, ['operator']);
    if (typeof req.body !== 'string') throw ProblemError.of(REG.REG_CSV_INVALID, 'body', { detail: 'send Content-Type: text/csv' });
    const r = await importCsv(db, kind, req.body);
    return reply.status(r.problems.length ? 422 : 200).send(r);
  });
}
