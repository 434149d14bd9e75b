// Public surface of identity: principals and sessions for citizens (OpenID Connect), facility
// staff, doctors, officers and operators (passwords, scrypt); the requireRole preHandler; the
// development OpenID provider and the relying party (mounted by routes.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../store/index.ts';
import { problem } from '../../errors/index.ts';
import { IDN } from './errors.ts';
import { readSession, SESSION_COOKIE, type Principal, type Role } from './sessions.ts';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, type DevClient } from './provider.ts';
import type { RpConfig } from './rp.ts';

export { createSession, readSession, endSession, createStaffAccount, loginStaff, hashPassword, verifyPassword, ROLES, SESSION_COOKIE, DEFAULT_SESSION_SECONDS } from './sessions.ts';
export type { Principal, Role, StaffAccountInput } from './sessions.ts';
export { DEV_CLIENT_ID, DEV_CLIENT_SECRET } from './provider.ts';
export type { DevClient } from './provider.ts';
export type { RpConfig } from './rp.ts';
export { IDN } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireRole(): who is signed in. */
    principal?: Principal;
  }
}

export interface IdentityConfig {
  /** Mount the development OpenID provider at /oidc (default true; env SSK_OIDC_DEV=0 turns it off). */
  devProvider: boolean;
  /** Issuer of the development provider (default: the request's own origin + /oidc). */
  devIssuer?: string;
  /** Clients of the development provider. */
  devClients: DevClient[];
  /** The relying party; issuer absent = this gateway's development provider (over loopback). */
  rp: Partial<RpConfig>;
  /** Session lifetime in seconds. */
  sessionSeconds: number;
  /** Set the Secure flag on the session cookie (default: when the request came over HTTPS). */
  secureCookies?: boolean;
}

/** Identity configuration from the given values, then the environment (SSK_OIDC_*). */
export function identityConfig(c: Partial<IdentityConfig> = {}, env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return {
    devProvider: c.devProvider ?? env.SSK_OIDC_DEV !== '0',
    devIssuer: c.devIssuer ?? env.SSK_OIDC_DEV_ISSUER,
    devClients: c.devClients ?? [{ clientId: DEV_CLIENT_ID, clientSecret: env.SSK_OIDC_DEV_SECRET || DEV_CLIENT_SECRET }],
    rp: {
      issuer: env.SSK_OIDC_ISSUER,
      clientId: env.SSK_OIDC_CLIENT_ID,
      clientSecret: env.SSK_OIDC_CLIENT_SECRET,
      redirectUri: env.SSK_OIDC_REDIRECT_URI,
      personalIdClaim: env.SSK_OIDC_PERSONAL_ID_CLAIM,
      scope: env.SSK_OIDC_SCOPE,
      ...Object.fromEntries(Object.entries(c.rp ?? {}).filter(([, v]) => v !== undefined)),
    },
    sessionSeconds: c.sessionSeconds ?? 8 * 3600,
    secureCookies: c.secureCookies,
  };
}

/** The database of each running gateway, by its HTTP server (set when routes.ts is mounted). */
export const dbByServer = new WeakMap<object, Queryable>();

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** The session token of a request: `Authorization: Bearer …` or the ssk_session cookie. */
export function sessionToken(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(\S{16,512})$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  return cookieValue(req.headers.cookie, SESSION_COOKIE);
}

/**
 * Fastify preHandler: the request must carry a live session of one of `roles` (none = any role).
 * Sets `request.principal`; answers 401/403 with a problem otherwise. The database is the
 * gateway's (found by its server); pass one explicitly with `requireRoleWith(db, ...)`.
 */
export function requireRole(...roles: Role[]) {
  return requireRoleWith(undefined, ...roles);
}

export function requireRoleWith(db: Queryable | undefined, ...roles: Role[]) {
  return async function (req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const d = db ?? dbByServer.get(req.server.server);
    const token = sessionToken(req);
    const p = d && token ? await readSession(d, token) : null;
    if (!p) {
      const pr = problem(IDN.ACC_ID_UNAUTHENTICATED, 'authorization');
      await reply.code(401).header('www-authenticate', 'Bearer').send({ problems: [pr] });
      return;
    }
    if (roles.length && !roles.includes(p.role)) {
      const pr = problem(IDN.ACC_ID_FORBIDDEN, 'role', { roles: roles.join('|') });
      await reply.code(403).send({ problems: [pr] });
      return;
    }
    req.principal = p;
  };
}
