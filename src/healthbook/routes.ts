// HTTP routes of the health book (/api/v1/book, /api/v1/feed). Thin: authenticate, parse, call
// the domain function, map the result. Errors are ProblemErrors mapped by the gateway.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/index.ts';
import { credentialOf, requireActor } from '../access/index.ts';
import { getBook, getEntry, recentResults } from './book.ts';
import { exportFhir } from './fhir.ts';
import { qrFor, qrPublicKeys, verifyShown } from './qr.ts';
import { CERTIFICATES } from './certificates.ts';
import { addWebhook, createFeedClient, feedClientFor, pullFeed, slaReport } from './feed.ts';
import { bearer } from '../access/index.ts';
import { body, qDate, qInt, qList, qText } from './http.ts';

interface Ctx {
  db: Db;
  config?: { operatorToken?: string };
}

export default async function routes(app: FastifyInstance, ctx: Ctx) {
  const db = ctx.db;
  const who = (req: { method: string; headers: Record<string, any> }, roles: string[] | null = null) => requireActor(db, credentialOf(req), roles, { operatorToken: ctx.config?.operatorToken });
  const bookQuery = (q: any) => ({
    kinds: qList(q.kinds, 'kinds'), since: qDate(q.since, 'since'), until: qDate(q.until, 'until'), limit: qInt(q.limit, 'limit', 1, 5000),
    history: q.history === '1' || q.history === 'true', purpose: qText(q.purpose, 'purpose'),
  });

  app.get('/api/v1/book/qr-key', async () => ({ keys: await qrPublicKeys(db) }));
  app.get('/api/v1/book/certificates/schema', async () => CERTIFICATES);

  app.get('/api/v1/book/me', async (req) => {
    const a = await who(req, ['citizen']);
    return getBook(db, a, a.sub, bookQuery(req.query));
  });
  app.get<{ Params: { personalId: string } }>('/api/v1/book/:personalId', async (req) => getBook(db, await who(req), req.params.personalId, bookQuery(req.query)));
  app.get<{ Params: { personalId: string } }>('/api/v1/book/:personalId/fhir', async (req, reply) => {
    const q = req.query as any;
    const bundle = await exportFhir(db, await who(req), req.params.personalId, { kinds: qList(q.kinds, 'kinds'), since: qDate(q.since, 'since'), purpose: qText(q.purpose, 'purpose') });
    return reply.type('application/fhir+json').send(bundle);
  });
  app.get<{ Params: { personalId: string } }>('/api/v1/book/:personalId/recent-results', async (req) => {
    const q = req.query as any;
    return { entries: await recentResults(db, await who(req), req.params.personalId, { days: qInt(q.days, 'days', 1, 3650), purpose: qText(q.purpose, 'purpose') }) };
  });
  app.get<{ Params: { id: string } }>('/api/v1/book/entries/:id', async (req) => getEntry(db, await who(req), qInt(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER)!));
  app.get<{ Params: { id: string } }>('/api/v1/book/entries/:id/qr', async (req, reply) => {
    const format = (req.query as any).format ?? 'svg';
    const q = await qrFor(db, await who(req), qInt(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER)!, { png: format === 'png' });
    if (format === 'png') return reply.type('image/png').send(q.png);
    if (format === 'json') return { text: q.text, payload: q.payload };
    return reply.type('image/svg+xml').send(q.svg);
  });
  app.post('/api/v1/book/verify-qr', async (req) => {
    const b = body(req.body);
    return verifyShown(db, await who(req, ['facility', 'doctor']), String(qText(b.text, 'text', 2000) ?? ''));
  });
  // Feed: a feed client's token (the citizen app), or a citizen session for their own entries.
  app.get('/api/v1/feed', async (req) => {
    const q = req.query as any;
    const actor = (await feedClientFor(db, bearer(req.headers.authorization))) ?? (await who(req, ['citizen']));
    return pullFeed(db, actor, { cursor: qText(q.cursor, 'cursor', 64), limit: qInt(q.limit, 'limit', 1, 2000) });
  });
  app.get('/api/v1/feed/sla', async (req) => {
    await who(req, ['officer', 'operator']);
    const q = req.query as any;
    return slaReport(db, { from: qDate(q.from, 'from'), to: qDate(q.to, 'to'), max: qInt(q.max, 'max', 1, 10000) });
  });
  app.post('/api/v1/feed/clients', async (req, reply) => {
    await who(req, ['operator']);
    return reply.status(201).send(await createFeedClient(db, String(qText(body(req.body).name, 'name', 200) ?? 'client')));
  });
  app.post('/api/v1/feed/webhooks', async (req, reply) => {
    await who(req, ['operator']);
    const b = body(req.body);
    return reply.status(201).send(await addWebhook(db, String(qText(b.url, 'url', 2000) ?? ''), { fromStart: b.fromStart === true }));
  });
}
