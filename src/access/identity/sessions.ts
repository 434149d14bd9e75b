// Principals, sessions (opaque random tokens stored as SHA-256) and staff accounts (scrypt).
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../store/index.ts';
import { problem, ProblemError } from '../../errors/index.ts';
import { IDN } from './errors.ts';

export type Role = 'citizen' | 'facility' | 'doctor' | 'officer' | 'operator';
export const ROLES: readonly Role[] = ['citizen', 'facility', 'doctor', 'officer', 'operator'];

/**
 * Who is signed in. citizen: sub = 12-digit personal ID. facility: staff of one MACSKCB.
 * doctor: practitioner licence + MACSKCB. officer: health department (province code, or none =
 * nation). operator: administrator.
 */
export interface Principal {
  role: Role;
  sub: string;
  name?: string;
  macskcb?: string;
  licence?: string;
  province?: string;
  /** How the principal signed in: 'oidc', 'password', 'token'. */
  amr?: string;
}

export const SESSION_COOKIE = 'ssk_session';
export const DEFAULT_SESSION_SECONDS = 8 * 3600;

const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

function checkPrincipal(p: Principal): void {
  const bad = (detail: string) => new ProblemError(problem(IDN.ACC_ID_ACCOUNT_INVALID, 'principal', { rule: 'principal', detail }));
  if (!ROLES.includes(p.role)) throw bad('role');
  if (!p.sub || p.sub.length > 200) throw bad('sub');
  if (p.role === 'citizen' && !/^\d{12}$/.test(p.sub)) throw ProblemError.of(IDN.ACC_ID_PERSONAL_ID, 'sub');
  if ((p.role === 'facility' || p.role === 'doctor') && !/^[0-9A-Za-z]{5}$/.test(p.macskcb ?? '')) throw bad('macskcb');
}

/** Open a session for a principal; returns the opaque token (only its hash is stored). */
export async function createSession(db: Queryable, principal: Principal, o: { ttlSeconds?: number } = {}): Promise<string> {
  checkPrincipal(principal);
  const token = randomBytes(32).toString('base64url');
  // Known fields, plus other plain values callers attach (bounded), never objects.
  const p: Record<string, unknown> = { role: principal.role, sub: principal.sub };
  let extra = 0;
  for (const [k, v] of Object.entries(principal)) {
    if (k in p || v === undefined || v === null || k.length > 40 || extra >= 20) continue;
    if (typeof v === 'string' ? v.length <= 500 : typeof v === 'number' || typeof v === 'boolean') {
      p[k] = v;
      extra++;
    }
  }
  await db.query(`DELETE FROM identity_session WHERE expires_at < now() - interval '1 day'`);
  await db.query(`INSERT INTO identity_session (token_hash, role, sub, principal, expires_at) VALUES ($1, $2, $3, $4::jsonb, now() + make_interval(secs => $5::int))`, [
    sha256(token),
    principal.role,
    principal.sub,
    JSON.stringify(p),
    o.ttlSeconds ?? DEFAULT_SESSION_SECONDS,
  ]);
  return token;
}

/** The principal of a live session, or null. */
export async function readSession(db: Queryable, token: string): Promise<Principal | null> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 512) return null;
  const r = await db.query<{ principal: Principal | string }>(`SELECT principal FROM identity_session WHERE token_hash = $1 AND expires_at > now()`, [sha256(token)]);
  const p = r.rows[0]?.principal;
  if (!p) return null;
  return typeof p === 'string' ? (JSON.parse(p) as Principal) : p;
}

/** End a session (sign out). */
export async function endSession(db: Queryable, token: string): Promise<void> {
  if (typeof token !== 'string' || token.length > 512) return;
  await db.query(`DELETE FROM identity_session WHERE token_hash = $1`, [sha256(token)]);
}

// ---------------------------------------------------------------------------------------------
// Staff accounts

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scrypt(password: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), want.length);
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface StaffAccountInput {
  username: string;
  password: string;
  role: Exclude<Role, 'citizen'>;
  macskcb?: string;
  province?: string;
  licence?: string;
  name?: string;
}

/** Create a staff account (facility staff, doctor, officer, operator). */
export async function createStaffAccount(db: Queryable, a: StaffAccountInput): Promise<void> {
  const bad = (path: string, detail: string) => new ProblemError(problem(IDN.ACC_ID_ACCOUNT_INVALID, path, { rule: path, detail }));
  const username = String(a.username ?? '').trim().toLowerCase();
  if (!/^[a-z0-9._@-]{3,100}$/.test(username)) throw bad('username', '3–100 of a-z 0-9 . _ @ -');
  if (typeof a.password !== 'string' || a.password.length < 8 || a.password.length > 1000) throw bad('password', '8–1000 characters');
  if (!['facility', 'doctor', 'officer', 'operator'].includes(a.role)) throw bad('role', 'facility|doctor|officer|operator');
  if ((a.role === 'facility' || a.role === 'doctor') && !/^[0-9A-Za-z]{5}$/.test(a.macskcb ?? '')) throw bad('macskcb', '5 characters');
  if (a.role === 'doctor' && !a.licence) throw bad('licence', 'practising licence required');
  const hash = await hashPassword(a.password);
  const r = await db.query(
    `INSERT INTO staff_account (username, password_hash, role, macskcb, province, licence, name) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING`,
    [username, hash, a.role, a.macskcb ?? null, a.province ?? null, a.licence ?? null, a.name ?? null],
  );
  if (!r.rowCount) throw ProblemError.of(IDN.ACC_ID_ACCOUNT_EXISTS, 'username');
}

/**
 * For an unknown user name the password is still checked against a hash of a fixed decoy password,
 * so a refusal takes as long as for a real account (no user-name discovery by timing).
 */
let timingDecoyHash: Promise<string> | undefined;
const MAX_FAILED = 10;

/** Check a staff password; the principal on success, else null (also for locked/disabled accounts). */
export async function loginStaff(db: Queryable, username: string, password: string): Promise<Principal | null> {
  const u = String(username ?? '').trim().toLowerCase();
  if (!u || u.length > 100 || typeof password !== 'string' || password.length > 1000) return null;
  const r = await db.query<{ password_hash: string; role: Role; macskcb: string | null; province: string | null; licence: string | null; name: string | null; active: boolean; locked: boolean }>(
    `SELECT password_hash, role, macskcb, province, licence, name, active, coalesce(locked_until > now(), false) AS locked FROM staff_account WHERE username = $1`,
    [u],
  );
  const row = r.rows[0];
  if (!row) {
    timingDecoyHash ??= hashPassword('decoy-password-for-equal-timing');
    await verifyPassword(password, await timingDecoyHash);
    return null;
  }
  const ok = await verifyPassword(password, row.password_hash);
  if (!ok || !row.active || row.locked) {
    if (!ok)
      await db.query(
        `UPDATE staff_account SET failed_logins = failed_logins + 1, locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + interval '15 minutes' ELSE locked_until END WHERE username = $1`,
        [u, MAX_FAILED],
      );
    return null;
  }
  await db.query(`UPDATE staff_account SET failed_logins = 0, locked_until = NULL WHERE username = $1`, [u]);
  const p: Principal = { role: row.role, sub: row.role === 'doctor' && row.licence ? row.licence : u, amr: 'password' };
  if (row.name) p.name = row.name;
  if (row.macskcb) p.macskcb = row.macskcb;
  if (row.province) p.province = row.province;
  if (row.licence) p.licence = row.licence;
  return p;
}
