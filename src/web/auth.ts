// Who is signed in: the identity module's session (cookie ssk_session holds its token).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import { addCookie, cookie, SESSION_COOKIE, type PageCtx, type WebPrincipal } from './context.ts';
import { WEB } from './errors.ts';

export { IDENTITY } from './session.ts';
import { createWebSession, endWebSession, readWebSession } from './session.ts';

export async function resolvePrincipal(db: Db, ctx: PageCtx): Promise<WebPrincipal | null> {
  if (!ctx.sessionToken) return null;
  const p = await readWebSession(db, ctx.sessionToken);
  return p && typeof p.role === 'string' ? p : null;
}

/** Start a session for this principal through the identity module; sets the cookie. */
export async function signIn(db: Db, reply: FastifyReply, ctx: PageCtx, principal: WebPrincipal): Promise<void> {
  const token = await createWebSession(db, principal);
  addCookie(reply, cookie(SESSION_COOKIE, token, { secure: ctx.secure, maxAge: 8 * 3600 }));
}

export async function signOut(db: Db, reply: FastifyReply, ctx: PageCtx): Promise<void> {
  if (ctx.sessionToken) await endWebSession(db, ctx.sessionToken);
  addCookie(reply, cookie(SESSION_COOKIE, '', { secure: ctx.secure, maxAge: 0 }));
}

/** The login page of each area. */
export const LOGIN_PATH: Record<string, string> = { citizen: '/cong-dan/dang-nhap', facility: '/co-so/dang-nhap', department: '/so-y-te/dang-nhap' };

/**
 * The principal when it has one of the roles; otherwise redirect to the area's login page
 * (returns null and the caller returns the reply).
 */
export function allowed(ctx: PageCtx, roles: string[]): WebPrincipal | null {
  const p = ctx.principal;
  return p && roles.includes(p.role) ? p : null;
}

export function forbidden(role: string): ProblemError {
  return ProblemError.of(WEB.WEB_FORBIDDEN, '', { role });
}

export type Guard = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
