// Admin API under /api/v1/admin, protected by the operator credential (config operatorToken or
// env SSK_OPERATOR_TOKEN): facility accounts, API tokens, certificates.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual, createHash } from 'node:crypto';
import { ProblemError } from '../errors/index.ts';
import { GW } from './errors.ts';
import * as acc from './accounts.ts';
import type { GatewayContext } from './app.ts';

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h && /^Bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

export async function adminRoutes(app: FastifyInstance, ctx: GatewayContext) {
  const { db } = ctx;
  app.addHook('preHandler', async (req) => {
    const want = ctx.config.operatorToken;
    const got = bearer(req) ?? (req.headers['x-operator-token'] as string | undefined);
    if (!want || !got || !same(want, got)) throw ProblemError.of(GW.GW_OPERATOR, 'authorization');
  });

  app.get('/facilities', async () => ({ facilities: await acc.listFacilities(db) }));
  app.post<{ Body: { macskcb: string; name: string; province?: string; username?: string; password?: string } }>(
    '/facilities',
    {
      schema: {
        body: {
          type: 'object',
          required: ['macskcb', 'name'],
          additionalProperties: false,
          properties: { macskcb: { type: 'string', maxLength: 5 }, name: { type: 'string', maxLength: 300 }, province: { type: 'string', maxLength: 10 }, username: { type: 'string', maxLength: 100 }, password: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (req, reply) => reply.status(201).send(await acc.addFacility(db, req.body)),
  );
  app.post<{ Params: { macskcb: string }; Body: { status: 'active' | 'suspended' } }>(
    '/facilities/:macskcb/status',
    { schema: { body: { type: 'object', required: ['status'], properties: { status: { enum: ['active', 'suspended'] } } } } },
    async (req) => {
      await acc.setFacilityStatus(db, req.params.macskcb, req.body.status);
      return acc.getFacility(db, req.params.macskcb);
    },
  );
  app.get<{ Params: { macskcb: string } }>('/facilities/:macskcb/tokens', async (req) => ({ tokens: await acc.listTokens(db, req.params.macskcb) }));
  app.post<{ Params: { macskcb: string }; Body: { name?: string; scopes?: string[] } | undefined }>(
    '/facilities/:macskcb/tokens',
    { schema: { body: { type: ['object', 'null'], properties: { name: { type: 'string', maxLength: 100 }, scopes: { type: 'array', items: { enum: [...acc.SCOPES] }, maxItems: 4 } } } } },
    async (req, reply) => reply.status(201).send(await acc.issueToken(db, req.params.macskcb, req.body ?? {})),
  );
  app.post<{ Params: { id: string } }>('/tokens/:id/rotate', async (req) => acc.rotateToken(db, Number(req.params.id)));
  app.post<{ Params: { id: string } }>('/tokens/:id/revoke', async (req) => acc.revokeToken(db, Number(req.params.id)));
  app.get<{ Params: { macskcb: string } }>('/facilities/:macskcb/certificates', async (req) => ({
    certificates: (await acc.listCertificates(db, req.params.macskcb)).map(acc.certView),
  }));
  app.post<{ Params: { macskcb: string }; Body: { pem: string; replace?: boolean } }>(
    '/facilities/:macskcb/certificates',
    { schema: { body: { type: 'object', required: ['pem'], properties: { pem: { type: 'string', maxLength: 20000 }, replace: { type: 'boolean' } } } } },
    async (req, reply) => {
      const rec = req.body.replace
        ? await db.transaction((tx) => acc.replaceCertificate(tx, req.params.macskcb, req.body.pem))
        : await acc.registerCertificate(db, req.params.macskcb, req.body.pem);
      return reply.status(201).send(acc.certView(rec));
    },
  );
  app.post<{ Params: { macskcb: string; fingerprint: string }; Body: { reason?: string } | undefined }>(
    '/facilities/:macskcb/certificates/:fingerprint/revoke',
    async (req) => acc.certView(await acc.revokeCertificate(db, req.params.macskcb, req.params.fingerprint, (req.body as { reason?: string } | undefined)?.reason)),
  );
}
