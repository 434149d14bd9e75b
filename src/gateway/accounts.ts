// Facility accounts, API tokens (stored hashed, scoped to one MACSKCB) and the facility's
// signing certificates with their history. Domain functions; routes and CLI call these.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Queryable } from '../store/index.ts';
import { ProblemError } from '../errors/index.ts';
import { GW } from './errors.ts';
import { certificateInfo } from '../signature/index.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export interface FacilityAccount {
  macskcb: string;
  name: string;
  province: string;
  status: 'active' | 'suspended';
  username: string | null;
  createdAt: Date;
}

export interface TokenInfo {
  id: number;
  macskcb: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface Principal {
  tokenId: number;
  macskcb: string;
  scopes: string[];
}

export interface CertificateRecord {
  id: number;
  macskcb: string;
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  registeredAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  der: Buffer;
}

export const MACSKCB_RE = /^[0-9A-Z]{5}$/;

export function sha256hex(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function checkCode(macskcb: string) {
  if (!MACSKCB_RE.test(macskcb)) throw ProblemError.of(GW.GW_MACSKCB_FORMAT, 'macskcb');
}

const accountRow = (r: any): FacilityAccount => ({ macskcb: r.macskcb, name: r.name, province: r.province, status: r.status, username: r.username, createdAt: r.created_at });

/** The upper-case hex MD5 of a password, as the national gateway's token/take expects. */
export function md5Upper(password: string): string {
  return createHash('md5').update(password, 'utf8').digest('hex').toUpperCase();
}

async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const h = await scrypt(secret, salt, 32);
  return `scrypt$${salt.toString('base64')}$${h.toString('base64')}`;
}

async function checkSecret(secret: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [alg, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(secret, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(want, got);
}

export async function addFacility(
  db: Queryable,
  a: { macskcb: string; name: string; province?: string; username?: string; password?: string },
): Promise<FacilityAccount> {
  checkCode(a.macskcb);
  const pwHash = a.password !== undefined ? await hashSecret(md5Upper(a.password)) : null;
  const r = await db.query(
    `INSERT INTO facility_account (macskcb, name, province, username, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (macskcb) DO NOTHING RETURNING *`,
    [a.macskcb, a.name, a.province ?? a.macskcb.slice(0, 2), a.username ?? null, pwHash],
  );
  if (!r.rows.length) throw ProblemError.of(GW.GW_FACILITY_EXISTS, 'macskcb', { macskcb: a.macskcb });
  return accountRow(r.rows[0]);
}

export async function getFacility(db: Queryable, macskcb: string): Promise<FacilityAccount | null> {
  const r = await db.query(`SELECT * FROM facility_account WHERE macskcb = $1`, [macskcb]);
  return r.rows[0] ? accountRow(r.rows[0]) : null;
}

export async function listFacilities(db: Queryable): Promise<FacilityAccount[]> {
  return (await db.query(`SELECT * FROM facility_account ORDER BY macskcb`)).rows.map(accountRow);
}

export async function setFacilityStatus(db: Queryable, macskcb: string, status: 'active' | 'suspended'): Promise<void> {
  const r = await db.query(`UPDATE facility_account SET status = $2 WHERE macskcb = $1`, [macskcb, status]);
  if (!r.rowCount) throw ProblemError.of(GW.GW_FACILITY_UNKNOWN, 'macskcb', { macskcb });
}

/** Set the national-facade login (username + password) of a facility. */
export async function setFacadeLogin(db: Queryable, macskcb: string, username: string, password: string): Promise<void> {
  const h = await hashSecret(md5Upper(password));
  const r = await db.query(`UPDATE facility_account SET username = $2, password_hash = $3 WHERE macskcb = $1`, [macskcb, username, h]);
  if (!r.rowCount) throw ProblemError.of(GW.GW_FACILITY_UNKNOWN, 'macskcb', { macskcb });
}

/** Check a facade login; `passwordMd5` is the upper-case MD5 hex the HIS sends. */
export async function checkFacadeLogin(db: Queryable, username: string, passwordMd5: string): Promise<FacilityAccount | null> {
  const r = await db.query(`SELECT * FROM facility_account WHERE username = $1`, [username]);
  const row = r.rows[0];
  if (!row) return null;
  return (await checkSecret(passwordMd5.toUpperCase(), row.password_hash)) ? accountRow(row) : null;
}

const tokenRow = (r: any): TokenInfo => ({ id: r.id, macskcb: r.macskcb, name: r.name, scopes: r.scopes, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at });

export const SCOPES = ['submit', 'read'] as const;

/** Issue a token; the secret is returned once and only its SHA-256 is stored. */
export async function issueToken(
  db: Queryable,
  macskcb: string,
  o: { name?: string; scopes?: string[]; expiresAt?: Date; idTokenHash?: string } = {},
): Promise<{ token: string; info: TokenInfo }> {
  const acc = await getFacility(db, macskcb);
  if (!acc) throw ProblemError.of(GW.GW_FACILITY_UNKNOWN, 'macskcb', { macskcb });
  const token = `ssk_${randomBytes(30).toString('base64url')}`;
  const r = await db.query(
    `INSERT INTO api_token (macskcb, name, token_hash, scopes, expires_at, id_token_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [macskcb, o.name ?? '', sha256hex(token), o.scopes ?? [...SCOPES], o.expiresAt ?? null, o.idTokenHash ?? null],
  );
  return { token, info: tokenRow(r.rows[0]) };
}

/** Delete facade tokens (name 'facade', issued by /api/token/take) that expired more than
 * `graceSeconds` ago; they can no longer authenticate. Called on each issue so they do not pile up.
 * Other tokens (admin-issued, possibly audited) are kept. Returns how many were deleted. */
export async function purgeExpiredFacadeTokens(db: Queryable, graceSeconds = 0): Promise<number> {
  const r = await db.query(
    `DELETE FROM api_token WHERE name = 'facade' AND expires_at IS NOT NULL AND expires_at < now() - make_interval(secs => $1)`,
    [graceSeconds],
  );
  return r.rowCount;
}

export async function revokeToken(db: Queryable, id: number): Promise<TokenInfo> {
  const r = await db.query(`UPDATE api_token SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *`, [id]);
  if (!r.rows.length) throw ProblemError.of(GW.GW_TOKEN_UNKNOWN, 'id', { id });
  return tokenRow(r.rows[0]);
}

/** Rotate: issue a new token with the same facility, name and scopes, and revoke the old one. */
export async function rotateToken(db: Queryable, id: number): Promise<{ token: string; info: TokenInfo; revoked: TokenInfo }> {
  const old = (await db.query(`SELECT * FROM api_token WHERE id = $1`, [id])).rows[0];
  if (!old) throw ProblemError.of(GW.GW_TOKEN_UNKNOWN, 'id', { id });
  const issued = await issueToken(db, old.macskcb, { name: old.name, scopes: old.scopes });
  const revoked = await revokeToken(db, id);
  return { ...issued, revoked };
}

export async function listTokens(db: Queryable, macskcb?: string): Promise<TokenInfo[]> {
  const r = macskcb
    ? await db.query(`SELECT * FROM api_token WHERE macskcb = $1 ORDER BY id`, [macskcb])
    : await db.query(`SELECT * FROM api_token ORDER BY id`);
  return r.rows.map(tokenRow);
}

/** Resolve a bearer token to its facility; null when unknown, revoked, expired or the facility is suspended. */
export async function authenticate(db: Queryable, token: string, idToken?: string): Promise<Principal | null> {
  if (!token || token.length > 200) return null;
  const r = await db.query(
    `SELECT t.id, t.macskcb, t.scopes, t.id_token_hash FROM api_token t JOIN facility_account f USING (macskcb)
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND f.status = 'active'`,
    [sha256hex(token)],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (idToken !== undefined && row.id_token_hash && row.id_token_hash !== sha256hex(idToken)) return null;
  return { tokenId: row.id, macskcb: row.macskcb, scopes: row.scopes };
}

// ---- certificates

export interface CertInfo {
  der: Buffer;
  fingerprint: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** Read a PEM or DER X.509 certificate (facts from the signature module's certificateInfo). */
export function readCertificate(input: string | Uint8Array): CertInfo {
  try {
    const c = certificateInfo(input);
    return {
      der: c.der,
      fingerprint: c.fingerprint,
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      serial: c.serial,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    };
  } catch (e) {
    throw ProblemError.of(GW.GW_CERT_BAD, 'certificate', { detail: e instanceof Error ? e.message.slice(0, 120) : 'unreadable' });
  }
}

const certRow = (r: any): CertificateRecord => ({
  id: r.id,
  macskcb: r.macskcb,
  fingerprint: r.fingerprint,
  subject: r.subject,
  issuer: r.issuer,
  serial: r.serial,
  notBefore: r.not_before,
  notAfter: r.not_after,
  registeredAt: r.registered_at,
  revokedAt: r.revoked_at,
  revokeReason: r.revoke_reason,
  der: r.der,
});

/**
 * Register (or update to) a signing certificate for a facility. Older certificates stay on
 * record; several may be active at once (a change-over). Re-registering a revoked certificate
 * is refused: revocation is final.
 */
export async function registerCertificate(db: Queryable, macskcb: string, cert: string | Uint8Array): Promise<CertificateRecord> {
  const acc = await getFacility(db, macskcb);
  if (!acc) throw ProblemError.of(GW.GW_FACILITY_UNKNOWN, 'macskcb', { macskcb });
  const c = readCertificate(cert);
  const r = await db.query(
    `INSERT INTO facility_certificate (macskcb, fingerprint, subject, issuer, serial, not_before, not_after, der)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (macskcb, fingerprint) DO NOTHING RETURNING *`,
    [macskcb, c.fingerprint, c.subject, c.issuer, c.serial, c.notBefore, c.notAfter, c.der],
  );
  if (r.rows[0]) return certRow(r.rows[0]);
  const existing = await db.query(`SELECT * FROM facility_certificate WHERE macskcb = $1 AND fingerprint = $2`, [macskcb, c.fingerprint]);
  return certRow(existing.rows[0]);
}

/**
 * Update: register the new certificate and revoke the ones it replaces (all active ones unless
 * `keep` is set), in one transaction-capable sequence (run it inside db.transaction).
 */
export async function replaceCertificate(db: Queryable, macskcb: string, cert: string | Uint8Array): Promise<CertificateRecord> {
  const rec = await registerCertificate(db, macskcb, cert);
  await db.query(
    `UPDATE facility_certificate SET revoked_at = now(), revoke_reason = 'superseded' WHERE macskcb = $1 AND id <> $2 AND revoked_at IS NULL`,
    [macskcb, rec.id],
  );
  return rec;
}

export async function revokeCertificate(db: Queryable, macskcb: string, fingerprint: string, reason = 'revoked'): Promise<CertificateRecord> {
  const r = await db.query(
    `UPDATE facility_certificate SET revoked_at = COALESCE(revoked_at, now()), revoke_reason = COALESCE(revoke_reason, $3)
     WHERE macskcb = $1 AND (fingerprint = lower($2) OR serial = upper($2)) RETURNING *`,
    [macskcb, fingerprint.replace(/:/g, ''), reason],
  );
  if (!r.rows.length) throw ProblemError.of(GW.GW_CERT_UNKNOWN, 'fingerprint', { fingerprint });
  return certRow(r.rows[0]);
}

export async function listCertificates(db: Queryable, macskcb?: string): Promise<CertificateRecord[]> {
  const r = macskcb
    ? await db.query(`SELECT * FROM facility_certificate WHERE macskcb = $1 ORDER BY id`, [macskcb])
    : await db.query(`SELECT * FROM facility_certificate ORDER BY macskcb, id`);
  return r.rows.map(certRow);
}

/** Public view of a certificate record (no DER bytes). */
export function certView(c: CertificateRecord) {
  const { der: _der, ...rest } = c;
  return { ...rest, status: c.revokedAt ? 'revoked' : 'active' };
}
