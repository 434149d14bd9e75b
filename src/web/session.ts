// Web sessions. The identity module's createSession/readSession/endSession when it is present;
// otherwise a small table of this module (migration 0070), so the facility portal can sign in
// with the facility account while identity is not deployed. Tokens are stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/index.ts';
import type { WebPrincipal } from './context.ts';
import { domainFn } from './domains.ts';

export const IDENTITY = 'access/identity';
const TTL_HOURS = 8;

const hash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function createWebSession(db: Db, principal: WebPrincipal): Promise<string> {
  const create = await domainFn(IDENTITY, 'createSession');
  if (create) return String(await create(db, principal));
  const token = randomBytes(32).toString('base64url');
  await db.query(`DELETE FROM web_session WHERE expires_at < now()`);
  await db.query(`INSERT INTO web_session (token_hash, principal, expires_at) VALUES ($1, $2::jsonb, now() + make_interval(hours => $3::int))`, [hash(token), JSON.stringify(principal), TTL_HOURS]);
  return token;
}

export async function readWebSession(db: Db, token: string): Promise<WebPrincipal | null> {
  if (!token || token.length > 512) return null;
  const read = await domainFn(IDENTITY, 'readSession');
  if (read) return ((await read(db, token)) as WebPrincipal | null) ?? null;
  const r = await db.query(`SELECT principal FROM web_session WHERE token_hash = $1 AND expires_at > now()`, [hash(token)]);
  const p = r.rows[0]?.principal;
  return p ? ((typeof p === 'string' ? JSON.parse(p) : p) as WebPrincipal) : null;
}

export async function endWebSession(db: Db, token: string): Promise<void> {
  const end = (await domainFn(IDENTITY, 'endSession')) ?? (await domainFn(IDENTITY, 'deleteSession'));
  if (end) {
    await end(db, token);
    return;
  }
  if (!(await domainFn(IDENTITY, 'readSession'))) await db.query(`DELETE FROM web_session WHERE token_hash = $1`, [hash(token)]);
}
