// Authenticate a request's bearer token: a facility API token (table api_token, stored as the
// SHA-256 of the secret), else a session of the identity module (src/access/identity) when it is
// present. Returns null when nobody is authenticated.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../store/index.ts';
import type { Actor } from './actor.ts';

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

export async function authenticate(db: Db, authorization: string | string[] | undefined): Promise<Actor | null> {
  const token = bearer(authorization);
  if (!token) return null;
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
