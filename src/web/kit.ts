// The small kit every page handler uses: context, role check, CSRF on posts, HTML reply.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../store/index.ts';
import { LOGIN_PATH, resolvePrincipal } from './auth.ts';
import { checkCsrf, pageCtx, type PageCtx, type WebPrincipal } from './context.ts';
import { WEB } from './errors.ts';
import { ProblemError } from '../errors/index.ts';

export interface WebDeps {
  db: Db;
  config: Record<string, any>;
  /** The gateway context the gateway hands to module plugins ({ db, config, receiptKey, poke }). */
  gateway?: Record<string, unknown>;
}

export type Area = 'citizen' | 'facility' | 'department' | 'home';

export interface RouteOpts {
  area: Area;
  /** Roles allowed; omitted = public page. */
  roles?: string[];
}

export type PageHandler = (req: FastifyRequest, reply: FastifyReply, ctx: PageCtx & { user: WebPrincipal }) => Promise<string | Buffer | void | FastifyReply>;

const CTX = Symbol('webCtx');

export function ctxOf(req: FastifyRequest): PageCtx | undefined {
  return (req as unknown as Record<symbol, PageCtx>)[CTX];
}

export function pageRoute(app: FastifyInstance, deps: WebDeps, method: 'GET' | 'POST', url: string, o: RouteOpts, handler: PageHandler): void {
  app.route({
    method,
    url,
    handler: async (req, reply) => {
      const ctx = pageCtx(req, reply);
      (req as unknown as Record<symbol, PageCtx>)[CTX] = ctx;
      ctx.principal = await resolvePrincipal(deps.db, ctx);
      if (ctx.principal) ctx.user = ctx.principal;
      if (method === 'POST') checkCsrf(req, (req.body as Record<string, unknown> | undefined)?._csrf);
      if (o.roles) {
        if (!ctx.principal) {
          if (method === 'GET') return reply.redirect(LOGIN_PATH[o.area] ?? '/', 303);
          throw ProblemError.of(WEB.WEB_SIGN_IN_REQUIRED, '', { role: o.roles.join('|') });
        }
        if (!o.roles.includes(ctx.principal.role)) throw ProblemError.of(WEB.WEB_FORBIDDEN, '', { role: o.roles.join('|') });
      }
      const out = await handler(req, reply, ctx as PageCtx & { user: WebPrincipal });
      if (typeof out === 'string') {
        reply.type('text/html; charset=utf-8');
        return reply.send(out);
      }
      return out ?? reply;
    },
  });
}

/** Read one string field of a form body (bounded). */
export function field(body: unknown, name: string, max = 4096): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const s = Array.isArray(v) ? String(v[0] ?? '') : typeof v === 'string' ? v : '';
  return s.length > max ? s.slice(0, max) : s.trim();
}
