// Authenticate a request's bearer token: a facility API token (table api_token, stored as the
// SHA-256 of the secret), else a session of the identity module (src/access/identity) when it is
// present. Returns null when nobody is authenticated.
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../store/index.ts';
import type { Actor } from './actor.ts';
import { ProblemError } from '../errors/index.ts';
import { ACC } from './errors.ts';

export function bearer(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S{8,512})$/i.exec(h ?? '');
  return m ? m[1] : null;
}

type SessionReader = (db: Db, token: string) => Promise<Record<string, any> | null>;
let identityReader: SessionReader | null | undefined;

async function sessionReader(): Promise<SessionReader | null> {
  if (identityReader !== undefined) return identityReader;
  const file = join(import.meta.dirname, 'identity', 'index.ts');
  identityReader = null;
  if (existsSync(file)) {
    const mod = (await import(pathToFileURL(file).href)) as { readSession?: SessionReader };
    if (typeof mod.readSession === 'function') identityReader = mod.readSession;
  }
  return identityReader;
}

/** Map the identity module's Principal to our Actor (tolerant of its field names). */
export function actorFromPrincipal(p: Record<string, any>): Actor {
  return {
    role: String(p.role),
    sub: String(p.sub ?? p.personalId ?? p.id ?? ''),
    macskcb: p.macskcb ?? p.facility ?? undefined,
    licence: p.licence ?? p.license ?? (p.role === 'doctor' ? p.sub : undefined),
    province: p.province ?? undefined,
    name: p.name ?? undefined,
  };
}

export async function authenticate(db: Db, authorization: string | string[] | undefined, opts: { operatorToken?: string } = {}): Promise<Actor | null> {
  const token = bearer(authorization);
  if (!token) return null;
  if (opts.operatorToken && opts.operatorToken.length >= 16 && safeEqual(token, opts.operatorToken)) return { role: 'operator', sub: 'operator' };
  const hash = createHash('sha256').update(token).digest('hex');
  const r = await db.query(
    `SELECT t.id, t.macskcb FROM api_token t JOIN facility_account f ON f.macskcb = t.macskcb
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND f.status = 'active'`,
    [hash],
  );
  if (r.rows.length) return { role: 'facility', sub: `token:${r.rows[0].id}`, macskcb: r.rows[0].macskcb };
  const read = await sessionReader();
  if (!read) return null;
  const p = await read(db, token);
  return p ? actorFromPrincipal(p) : null;
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Authenticate or throw 401; with `roles`, throw 403 for any other role. */
export async function requireActor(db: Db, authorization: string | string[] | undefined, roles: string[] | null, opts: { operatorToken?: string } = {}): Promise<Actor> {
  const a = await authenticate(db, authorization, opts);
  if (!a) throw ProblemError.of(ACC.ACC_UNAUTHENTICATED, 'authorization');
  if (roles && !roles.includes(a.role)) throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: roles.join(', ') });
  return a;
}

/**
 * The credential of a request: the Authorization header; for safe (GET/HEAD) requests also the
 * identity module's session cookie `ssk_session` (unsafe methods need the header: no CSRF by cookie).
 */
export function credentialOf(req: { method: string; headers: Record<string, string | string[] | undefined> }): string | undefined {
  const h = req.headers.authorization;
  if (h) return Array.isArray(h) ? h[0] : h;
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const c = req.headers.cookie;
  const m = /(?:^|;\s*)ssk_session=([^;\s]{16,512})/.exec(Array.isArray(c) ? c.join('; ') : (c ?? ''));
  return m ? `Bearer ${decodeURIComponent(m[1])}` : undefined;
}
