// Our API under /api/v1: submissions (raw XML or multipart), receipts, originals, dossiers,
// lists and reconciliation. Thin: parse input, call the domain function, map the result.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { ProblemError } from '../errors/index.ts';
import { GW } from './errors.ts';
import { authenticate, type Principal } from './accounts.ts';
import { submitPackage, submitCheckin, submitGdyk, ID_METHODS, type IdMethod, type SubmitResult } from './pipeline.ts';
import { submitCertificate } from './certificates.ts';
import * as q from './queries.ts';
import type { GatewayContext } from './app.ts';

const principals = new WeakMap<FastifyRequest, Principal>();

export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (!p) throw ProblemError.of(GW.GW_AUTH_MISSING, 'authorization');
  return p;
}

function requireScope(ctx: GatewayContext, scope: 'submit' | 'read') {
  return async (req: FastifyRequest) => {
    const h = req.headers.authorization;
    if (!h || !/^Bearer\s+\S/i.test(h)) throw ProblemError.of(GW.GW_AUTH_MISSING, 'authorization');
    const p = await authenticate(ctx.db, h.replace(/^Bearer\s+/i, '').trim());
    if (!p) throw ProblemError.of(GW.GW_AUTH_INVALID, 'authorization');
    if (!p.scopes.includes(scope)) throw ProblemError.of(GW.GW_SCOPE, 'authorization', { scope });
    principals.set(req, p);
  };
}

const SHA = /^[0-9a-f]{64}$/;

async function bodyBytes(req: FastifyRequest, limit: number): Promise<Buffer> {
  if (req.isMultipart()) {
    const file = await req.file({ limits: { fileSize: limit, files: 1, fields: 10 } });
    if (!file || file.fieldname !== 'file') throw ProblemError.of(GW.GW_BODY_TYPE, 'file');
    const buf = await file.toBuffer();
    if (file.file.truncated) throw ProblemError.of(GW.GW_BODY_EMPTY, 'file');
    return buf;
  }
  if (!Buffer.isBuffer(req.body)) throw ProblemError.of(GW.GW_BODY_TYPE, 'content-type');
  return req.body;
}

function send(reply: FastifyReply, r: SubmitResult) {
  if (r.replay) reply.header('Idempotent-Replay', 'true');
  return reply.status(200).send(r.receipt);
}

export async function apiRoutes(app: FastifyInstance, ctx: GatewayContext) {
  const limit = ctx.config.maxPackageBytes;
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 10, parts: 12 }, throwFileSizeLimit: true });

  app.post<{ Querystring: { replace?: string } }>('/packages', { preHandler: requireScope(ctx, 'submit'), bodyLimit: limit }, async (req, reply) => {
    const receivedAt = new Date();
    const bytes = await bodyBytes(req, limit);
    const header = req.headers['x-replaces'];
    const replaces = typeof header === 'string' && header.trim() ? header.trim().slice(0, 100) : req.query.replace === '1' || req.query.replace === 'true' ? true : undefined;
    return send(reply, await submitPackage(ctx, { bytes, principal: principalOf(req), replaces, receivedAt }));
  });

  app.post<{ Querystring: { idMethod?: string } }>('/checkins', { preHandler: requireScope(ctx, 'submit'), bodyLimit: limit }, async (req, reply) => {
    const receivedAt = new Date();
    const bytes = await bodyBytes(req, limit);
    const m = (req.headers['x-id-method'] as string | undefined) ?? req.query.idMethod;
    if (m !== undefined && !ID_METHODS.includes(m as IdMethod)) throw ProblemError.of(GW.GW_ID_METHOD, 'X-Id-Method');
    return send(reply, await submitCheckin(ctx, { bytes, principal: principalOf(req), idMethod: m as IdMethod | undefined, receivedAt }));
  });

  // The medical-assessment document (XML12, CHI_TIEU_GIAM_DINH_YKHOA) sent on its own, as the
  // national guiDuLieuGdykQd130 takes it; here with our detailed signed receipt.
  app.post('/assessments', { preHandler: requireScope(ctx, 'submit'), bodyLimit: limit }, async (req, reply) => {
    const receivedAt = new Date();
    const bytes = await bodyBytes(req, limit);
    return send(reply, await submitGdyk(ctx, { bytes, principal: principalOf(req), receivedAt }));
  });

  // A signed death notice or driving-licence health check; X-Replaces (any value) or ?replace=1
  // sends a corrected version of a number already accepted.
  app.post<{ Querystring: { replace?: string } }>('/certificates', { preHandler: requireScope(ctx, 'submit'), bodyLimit: limit }, async (req, reply) => {
    const receivedAt = new Date();
    const bytes = await bodyBytes(req, limit);
    const header = req.headers['x-replaces'];
    const replaces = (typeof header === 'string' && header.trim()) || req.query.replace === '1' || req.query.replace === 'true' ? true : undefined;
    return send(reply, await submitCertificate(ctx, { bytes, principal: principalOf(req), replaces, receivedAt }));
  });

  const read = { preHandler: requireScope(ctx, 'read') };
  app.get<{ Querystring: { from?: string; to?: string; status?: string } }>('/packages', read, async (req) => {
    const { from, to } = q.parsePeriod(req.query.from, req.query.to);
    const status = req.query.status;
    if (status !== undefined && !['accepted', 'partial', 'rejected'].includes(status)) throw ProblemError.of(GW.GW_QUERY, 'status', { rule: 'accepted|partial|rejected', detail: 'status' });
    return { from, to, packages: await q.listPackages(ctx.db, principalOf(req).macskcb, from, to, status) };
  });
  app.get<{ Params: { sha256: string } }>('/packages/:sha256', read, async (req) => {
    const sha = req.params.sha256.toLowerCase();
    const r = SHA.test(sha) ? await q.packageReceipt(ctx.db, principalOf(req).macskcb, sha) : null;
    if (!r) throw ProblemError.of(GW.GW_NOT_FOUND, 'sha256');
    return r;
  });
  app.get<{ Params: { sha256: string } }>('/packages/:sha256/original', read, async (req, reply) => {
    const sha = req.params.sha256.toLowerCase();
    const b = SHA.test(sha) ? await q.packageOriginal(ctx.db, principalOf(req).macskcb, sha) : null;
    if (!b) throw ProblemError.of(GW.GW_NOT_FOUND, 'sha256');
    return reply.header('content-type', 'application/xml').header('content-disposition', `attachment; filename="${sha}.xml"`).send(b);
  });
  app.get<{ Params: { maLk: string } }>('/dossiers/:maLk', read, async (req) => {
    const versions = await q.dossierVersions(ctx.db, principalOf(req).macskcb, req.params.maLk.slice(0, 100));
    if (!versions.length) throw ProblemError.of(GW.GW_NOT_FOUND, 'maLk');
    return { maLk: req.params.maLk, current: versions.find((v) => v.current) ?? null, versions };
  });
  app.get<{ Querystring: { from?: string; to?: string } }>('/reconciliation', read, async (req) => {
    const { from, to } = q.parsePeriod(req.query.from, req.query.to);
    return q.reconciliation(ctx.db, principalOf(req).macskcb, from, to);
  });
}
