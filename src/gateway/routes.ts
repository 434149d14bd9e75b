// The gateway's own HTTP routes (mounted by buildGateway like every module's routes.ts).
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './app.ts';
import { adminRoutes } from './admin-routes.ts';
import { apiRoutes } from './api-routes.ts';
import { facadeRoutes } from './facade.ts';
import { openapi } from './openapi.ts';

export default async function routes(app: FastifyInstance, ctx: GatewayContext) {
  app.get('/api/v1/receipt-key', async (_req, reply) => {
    reply.header('content-type', 'application/x-pem-file');
    return ctx.receiptKey.publicPem;
  });
  app.get('/openapi.json', async () => openapi(ctx.config));
  await app.register(async (a) => adminRoutes(a, ctx), { prefix: '/api/v1/admin' });
  await app.register(async (a) => apiRoutes(a, ctx), { prefix: '/api/v1' });
  await app.register(async (a) => facadeRoutes(a, ctx), { prefix: '/api' });
}
