// The gateway's own HTTP routes (mounted by buildGateway like every module's routes.ts).
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from './app.ts';
import { adminRoutes } from './admin-routes.ts';

export default async function routes(app: FastifyInstance, ctx: GatewayContext) {
  app.get('/api/v1/receipt-key', async (_req, reply) => {
    reply.header('content-type', 'application/x-pem-file');
    return ctx.receiptKey.publicPem;
  });
  await app.register(async (a) => adminRoutes(a, ctx), { prefix: '/api/v1/admin' });
}
