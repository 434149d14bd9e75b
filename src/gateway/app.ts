// Building and starting the gateway: Fastify 5, migrations from every module, each module's
// routes.ts and worker.ts, the outbox worker, bounded concurrency, graceful shutdown.
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { openDb, migrate, startWorker, type Db, type Handler, type Worker } from '../store/index.ts';
import { allMigrationDirs, GATEWAY_MODULES, moduleFile } from '../store/modules.ts';
import { isProblemError, problem, redact, COMMON } from '../errors/index.ts';
import { GW } from './errors.ts';
import { resolveConfig, type GatewayConfig } from './config.ts';
import { loadReceiptKey, type ReceiptKey } from './receipt.ts';

export interface GatewayContext {
  db: Db;
  config: GatewayConfig;
  receiptKey: ReceiptKey;
  /** Wake the local outbox worker after a publish. */
  poke(): void;
}

const contexts = new WeakMap<FastifyInstance, GatewayContext>();

/** The gateway context of an app built by buildGateway (routes of other modules may use it). */
export function gatewayContext(app: FastifyInstance): GatewayContext | undefined {
  return contexts.get(app);
}

export interface BuildOptions {
  db: Db;
  config?: Partial<GatewayConfig>;
}

/** Build the gateway app (not listening). Runs migrations first. Closing the app stops the worker (the Db stays open). */
export async function buildGateway(opts: BuildOptions): Promise<FastifyInstance> {
  const config = resolveConfig(opts.config);
  const db = opts.db;
  await migrate(db, allMigrationDirs());
  const receiptKey = await loadReceiptKey(db, config.receiptKeyPem);

  const app = Fastify({
    logger: config.logger
      ? {
          level: process.env.SSK_LOG_LEVEL ?? 'info',
          ...(config.logStream ? { stream: config.logStream } : {}),
          redact: { paths: ['req.headers.authorization', 'req.headers.accesstoken', 'req.headers.tokenid', 'req.headers.passwordhash'], remove: true },
          serializers: {
            // No query strings, no headers, no bodies: identifiers never reach the log.
            req: (r: { method: string; url: string }) => ({ method: r.method, url: redact(String(r.url).split('?')[0]) }),
            res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }),
          },
        }
      : false,
    bodyLimit: config.maxPackageBytes * 2,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  let worker: Worker | undefined;
  const ctx: GatewayContext = { db, config, receiptKey, poke: () => worker?.poke() };
  contexts.set(app, ctx);

  app.setErrorHandler((err, req, reply) => {
    if (isProblemError(err)) return reply.status(err.status).send({ problems: err.problems });
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ problems: [problem(COMMON.INPUT_TOO_LARGE, 'body', { limit: config.maxPackageBytes })] });
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ problems: [problem(GW.GW_BODY_TYPE, 'content-type')] });
    if (e.statusCode && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ problems: [problem(COMMON.INPUT_INVALID, 'request', { rule: 'request', detail: redact(String(e.message ?? '')).slice(0, 200) })] });
    }
    req.log.error({ code: e.code, msg: redact(String(e.message ?? '')).slice(0, 300) }, 'internal error');
    return reply.status(500).send({ problems: [problem(COMMON.INTERNAL)] });
  });

  // Bounded concurrency under /api: beyond maxInFlight answer 429 + Retry-After at once.
  let inFlight = 0;
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    if (inFlight >= config.maxInFlight) {
      reply.header('Retry-After', String(config.retryAfterSeconds));
      return reply.status(429).send({ problems: [problem(GW.GW_BUSY, '', { limit: config.maxInFlight })] });
    }
    inFlight++;
    let done = false;
    reply.raw.once('close', () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    try {
      await db.query('SELECT 1');
      return { status: 'ready', db: db.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  const modules = config.modules ?? GATEWAY_MODULES;
  const handlers: Record<string, Handler> = {};
  for (const m of modules) {
    const routes = moduleFile(m, 'routes.ts');
    if (routes) {
      const mod = (await import(routes)) as { default: FastifyPluginAsync<any> };
      await app.register(mod.default, { db, config, receiptKey, poke: ctx.poke } as any);
    }
    const w = moduleFile(m, 'worker.ts');
    if (w) {
      const mod = (await import(w)) as { handlers?: Record<string, Handler> };
      Object.assign(handlers, mod.handlers ?? {});
    }
  }

  if (config.worker && Object.keys(handlers).length) {
    worker = startWorker(db, handlers, {
      onError: (e) => app.log.error({ msg: redact(e instanceof Error ? e.message : String(e)).slice(0, 300) }, 'outbox worker error'),
    });
  }
  // Graceful shutdown: in-flight requests finish; their connections close after the answer.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await worker?.stop();
  });
  return app;
}

export interface StartOptions {
  /** PGlite data directory (default .ssk/gateway) when no databaseUrl. */
  dataDir?: string;
  /** postgres://… (default: env DATABASE_URL). */
  databaseUrl?: string;
  /** PostgreSQL schema (default: env DATABASE_SCHEMA). */
  schema?: string;
  /** Use an already open database (not closed by close()). */
  db?: Db;
  port?: number;
  host?: string;
  config?: Partial<GatewayConfig>;
}

export interface RunningGateway {
  app: FastifyInstance;
  url: string;
  db: Db;
  /** Stop accepting, finish in-flight requests, stop the worker, close the database. */
  close(): Promise<void>;
}

export async function startGateway(o: StartOptions = {}): Promise<RunningGateway> {
  const url = o.databaseUrl ?? (o.dataDir ? undefined : process.env.DATABASE_URL);
  const ownDb = !o.db;
  const db = o.db ?? (url ? await openDb({ url, schema: o.schema ?? process.env.DATABASE_SCHEMA }) : await openDb({ dataDir: o.dataDir ?? '.ssk/gateway' }));
  let app: FastifyInstance;
  try {
    app = await buildGateway({ db, config: o.config });
    await app.listen({ port: o.port ?? 8130, host: o.host ?? '127.0.0.1' });
  } catch (e) {
    if (ownDb) await db.close();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host && o.host !== '0.0.0.0' && o.host !== '::' ? o.host : '127.0.0.1';
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    db,
    close() {
      closing ??= (async () => {
        await app.close();
        if (ownDb) await db.close();
      })();
      return closing;
    },
  };
}
