// HTTP routes of access (/api/v1/consents, /api/v1/audit, /api/v1/patients). Thin wiring.
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Db } from '../store/index.ts';
import { credentialOf, requireActor } from './auth.ts';
import { auditFor } from './audit.ts';
import { claimConsent, consentsHeldBy, grantConsent, listConsents, revokeConsent, type Grantee, type Scope } from './consent.ts';
import { getBook, receivePatient, recentResults, verifyShown, jsonBody as body, qDate, qInt, qList, qText } from '../healthbook/index.ts';

interface Ctx {
  db: Db;
  config?: { operatorToken?: string };
}

export default async function routes(app: FastifyInstance, ctx: Ctx) {
  const db = ctx.db;
  const who = (req: { method: string; headers: Record<string, any> }, roles: string[] | null = null) => requireActor(db, credentialOf(req), roles, { operatorToken: ctx.config?.operatorToken });

  app.get('/api/v1/consents', async (req) => {
    const a = await who(req, ['citizen', 'facility', 'doctor']);
    return { consents: a.role === 'citizen' ? await listConsents(db, a.sub) : await consentsHeldBy(db, a) };
  });
  app.post('/api/v1/consents', async (req, reply) => {
    const a = await who(req, ['citizen']);
    const b = body(req.body);
    const scope: Scope | undefined = b.scope?.kind === 'since' ? { kind: 'since', since: qDate(b.scope.since, 'scope.since')! } : b.scope?.kind === 'kinds' ? { kind: 'kinds', kinds: Array.isArray(b.scope.kinds) ? b.scope.kinds.map(String) : [] } : b.scope ? { kind: 'whole' } : undefined;
    const grantee: Grantee | undefined = b.grantee?.kind === 'facility' ? { kind: 'facility', macskcb: String(b.grantee.macskcb ?? '') } : b.grantee?.kind === 'doctor' ? { kind: 'doctor', licence: String(b.grantee.licence ?? '') } : undefined;
    const g = await grantConsent(db, a, { grantee, purpose: String(b.purpose ?? ''), minutes: qInt(b.minutes, 'minutes', 1, 365 * 24 * 60), expiresAt: qDate(b.expiresAt, 'expiresAt'), scope });
    const qrSvg = await QRCode.toString(g.qrText, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply.status(201).send({ ...g, qrSvg });
  });
  app.post('/api/v1/consents/claim', async (req) => claimConsent(db, await who(req, ['facility', 'doctor']), String(qText(body(req.body).code, 'code', 64) ?? '')));
  const revoke = async (req: any) => revokeConsent(db, await who(req, ['citizen']), qInt(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER)!);
  app.delete<{ Params: { id: string } }>('/api/v1/consents/:id', revoke);
  app.post<{ Params: { id: string } }>('/api/v1/consents/:id/revoke', revoke);

  // "Who read my book": the citizen's own audit trail.
  app.get('/api/v1/audit', async (req) => {
    const a = await who(req, ['citizen']);
    const q = req.query as any;
    return { audit: await auditFor(db, a.sub, { limit: qInt(q.limit, 'limit', 1, 1000), before: qInt(q.before, 'before', 1, Number.MAX_SAFE_INTEGER) }) };
  });

  // Doctor access from clinic software.
  app.post('/api/v1/patients/match', async (req) => {
    const b = body(req.body);
    return receivePatient(db, await who(req, ['facility', 'doctor']), {
      personalId: qText(b.personalId, 'personalId', 20), cccd: qText(b.cccd, 'cccd', 20), bhytCard: qText(b.bhytCard, 'bhytCard', 20), name: qText(b.name, 'name', 255), birth: qText(b.birth, 'birth', 20),
    });
  });
  app.get<{ Params: { personalId: string } }>('/api/v1/patients/:personalId/book', async (req) => {
    const q = req.query as any;
    return getBook(db, await who(req, ['facility', 'doctor']), req.params.personalId, { kinds: qList(q.kinds, 'kinds'), since: qDate(q.since, 'since'), limit: qInt(q.limit, 'limit', 1, 5000), purpose: qText(q.purpose, 'purpose') });
  });
  app.get<{ Params: { personalId: string } }>('/api/v1/patients/:personalId/recent-results', async (req) => {
    const q = req.query as any;
    return { entries: await recentResults(db, await who(req, ['facility', 'doctor']), req.params.personalId, { days: qInt(q.days, 'days', 1, 3650), purpose: qText(q.purpose, 'purpose') }) };
  });
  app.post('/api/v1/patients/verify-document', async (req) => verifyShown(db, await who(req, ['facility', 'doctor']), String(qText(body(req.body).text, 'text', 2000) ?? '')));
}
