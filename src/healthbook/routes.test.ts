// The book's and access's HTTP routes, mounted on a Fastify app the way the gateway mounts them
// (plugin options { db, config }, ProblemErrors mapped to their status and problems).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { dbKinds, openTestDb, type TestDb } from '../store/testing.ts';
import { drain } from '../store/index.ts';
import { isProblemError } from '../errors/index.ts';
import { grantConsent, type Actor } from '../access/index.ts';
import accessRoutes from '../access/routes.ts';
import bookRoutes from './routes.ts';
import { handlers, verifyQr } from './index.ts';
import { acceptDossier, fullDossier, person } from './testing.ts';

const dirs = [join(import.meta.dirname, 'migrations'), join(import.meta.dirname, '..', 'access', 'migrations'), join(import.meta.dirname, '..', 'access', 'identity', 'migrations')].filter((d) => existsSync(d));

async function facilityToken(t: TestDb, macskcb: string): Promise<string> {
  const token = randomBytes(20).toString('hex');
  await t.db.query(`INSERT INTO facility_account (macskcb, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [macskcb, `Cơ sở ${macskcb}`]);
  await t.db.query(`INSERT INTO api_token (macskcb, token_hash) VALUES ($1, $2)`, [macskcb, createHash('sha256').update(token).digest('hex')]);
  return token;
}

for (const kind of dbKinds()) {
  describe(`book HTTP API on ${kind}`, () => {
    let t: TestDb;
    let app: FastifyInstance;
    const operatorToken = randomBytes(16).toString('hex');
    const p = person(31);
    before(async () => {
      t = await openTestDb(kind, dirs);
      app = Fastify();
      app.setErrorHandler((err, _req, reply) => {
        if (isProblemError(err)) return reply.status(err.status).send({ problems: err.problems });
        return reply.status(500).send({ error: String(err) });
      });
      await app.register(bookRoutes, { db: t.db, config: { operatorToken } } as any);
      await app.register(accessRoutes, { db: t.db, config: { operatorToken } } as any);
      await acceptDossier(t.db, fullDossier(p, { maLk: 'LK-H1', macskcb: '79001' }));
      await drain(t.db, handlers);
    });
    after(async () => {
      await app.close();
      await t.cleanup();
    });

    test('doctor flow: match → present consent → read book → recent results → verify a shown referral; refusals carry codes', async () => {
      const clinic = await facilityToken(t, '79002');
      const auth = { authorization: `Bearer ${clinic}` };
      let r = await app.inject({ method: 'GET', url: `/api/v1/patients/${p.personalId}/book` });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().problems[0].code, 'ACC_UNAUTHENTICATED');
      r = await app.inject({ method: 'POST', url: '/api/v1/patients/match', headers: auth, payload: { bhytCard: p.card } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().personalId, p.personalId);
      assert.equal(r.json().consent.active, false);
      r = await app.inject({ method: 'GET', url: `/api/v1/patients/${p.personalId}/book`, headers: auth });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().problems[0].code, 'ACC_NO_CONSENT');
      const citizen: Actor = { role: 'citizen', sub: p.personalId };
      const g = await grantConsent(t.db, citizen, { purpose: 'Khám chuyên khoa', scope: { kind: 'whole' } });
      r = await app.inject({ method: 'POST', url: '/api/v1/consents/claim', headers: auth, payload: { code: g.qrText } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().status, 'active');
      r = await app.inject({ method: 'GET', url: `/api/v1/patients/${p.personalId}/book?kinds=lab_result,referral&purpose=kham`, headers: auth });
      assert.equal(r.statusCode, 200);
      const entries = r.json().entries as any[];
      assert.deepEqual([...new Set(entries.map((e) => e.kind))].sort(), ['lab_result', 'referral']);
      r = await app.inject({ method: 'GET', url: `/api/v1/patients/${p.personalId}/book?kinds=nonsense`, headers: auth });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().problems[0].path, 'kinds');
      r = await app.inject({ method: 'GET', url: `/api/v1/patients/${p.personalId}/recent-results?days=3650`, headers: auth });
      assert.equal(r.statusCode, 200);
      assert.ok(r.json().entries.length >= 2);
      const referral = entries.find((e) => e.kind === 'referral');
      r = await app.inject({ method: 'GET', url: `/api/v1/book/entries/${referral.id}/qr?format=json`, headers: auth });
      assert.equal(r.statusCode, 200);
      const text = r.json().text;
      const keys = (await app.inject({ method: 'GET', url: '/api/v1/book/qr-key' })).json().keys;
      assert.equal(verifyQr(text, keys[0].pem).ok, true);
      r = await app.inject({ method: 'GET', url: `/api/v1/book/entries/${referral.id}/qr`, headers: auth });
      assert.equal(r.headers['content-type'], 'image/svg+xml');
      r = await app.inject({ method: 'POST', url: '/api/v1/patients/verify-document', headers: auth, payload: { text } });
      assert.equal(r.json().ok, true);
      assert.equal(r.json().status, 'current');
      r = await app.inject({ method: 'GET', url: `/api/v1/book/${p.personalId}/fhir`, headers: auth });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /application\/fhir\+json/);
      assert.equal(r.json().resourceType, 'Bundle');
      // a citizen-only route refuses a facility
      r = await app.inject({ method: 'GET', url: '/api/v1/audit', headers: auth });
      assert.equal(r.statusCode, 403);
    });

    test('no unsigned certificate intake here (signed documents go to the gateway); feed clients and SLA for the operator', async () => {
      const clinic = await facilityToken(t, '79003');
      let r = await app.inject({ method: 'POST', url: '/api/v1/book/certificates', headers: { authorization: `Bearer ${clinic}` }, payload: { kind: 'driving_check', row: { SO: 'KSK-H1' } } });
      assert.equal(r.statusCode, 404);
      r = await app.inject({ method: 'GET', url: '/api/v1/book/certificates/schema', headers: { authorization: `Bearer ${clinic}` } });
      assert.equal(r.json().driving_check.root, 'CHI_TIEU_DU_LIEU_GIAY_KSK_LAI_XE');
      r = await app.inject({ method: 'POST', url: '/api/v1/feed/clients', headers: { authorization: `Bearer ${clinic}` }, payload: { name: 'x' } });
      assert.equal(r.statusCode, 403);
      r = await app.inject({ method: 'POST', url: '/api/v1/feed/clients', headers: { authorization: `Bearer ${operatorToken}` }, payload: { name: 'vneid' } });
      assert.equal(r.statusCode, 201);
      const feedToken = r.json().token;
      let cursor = '';
      let total = 0;
      for (let i = 0; i < 50; i++) {
        r = await app.inject({ method: 'GET', url: `/api/v1/feed?limit=7${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization: `Bearer ${feedToken}` } });
        assert.equal(r.statusCode, 200);
        total += r.json().items.length;
        cursor = r.json().nextCursor;
        if (!r.json().more) break;
      }
      const inFeed = (await t.db.query(`SELECT count(*)::int AS n FROM book_feed`)).rows[0].n;
      assert.equal(total, inFeed);
      r = await app.inject({ method: 'GET', url: `/api/v1/feed?cursor=bm9wZQ`, headers: { authorization: `Bearer ${feedToken}` } });
      assert.equal(r.json().problems[0].code, 'BOOK_FEED_CURSOR');
      r = await app.inject({ method: 'GET', url: '/api/v1/feed/sla', headers: { authorization: `Bearer ${operatorToken}` } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().breaches.length, 0);
      assert.ok(r.json().published >= inFeed - 0);
    });
  });
}
