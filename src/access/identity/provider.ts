// The development OpenID Connect provider (mounted at /oidc): discovery, JWKS, authorize (a small
// Vietnamese-first page where a demo citizen enters a 12-digit personal ID — DEVELOPMENT ONLY),
// token (authorization code + PKCE S256), ID tokens signed RS256 with jose. The signing key and
// codes live in the database so several gateway processes share them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Queryable } from '../../store/index.ts';

export interface DevClient {
  clientId: string;
  clientSecret: string;
  /** Allowed redirect URIs; absent = any URI whose path is /auth/callback (development only). */
  redirectUris?: string[];
}

export const DEV_CLIENT_ID = 'sosuckhoe';
export const DEV_CLIENT_SECRET = 'dev-secret-khong-dung-that';

const sha256hex = (t: string) => createHash('sha256').update(t).digest('hex');
const b64url = (b: Buffer) => b.toString('base64url');

interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  publicJwk: JWK;
}
const keyCache = new WeakMap<object, Promise<SigningKey>>();

async function loadKey(db: Queryable): Promise<SigningKey> {
  const read = async () => (await db.query<{ kid: string; private_jwk: JWK | string }>(`SELECT kid, private_jwk FROM oidc_signing_key ORDER BY created_at, kid LIMIT 1`)).rows[0];
  let row = await read();
  if (!row) {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = randomBytes(8).toString('hex');
    await db.query(`INSERT INTO oidc_signing_key (kid, private_jwk) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING`, [kid, JSON.stringify(jwk)]);
    row = await read();
  }
  const jwk = typeof row!.private_jwk === 'string' ? (JSON.parse(row!.private_jwk) as JWK) : row!.private_jwk;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return { kid: row!.kid, privateKey: await importJWK(jwk, 'RS256'), publicJwk: { ...pub, kid: row!.kid, alg: 'RS256', use: 'sig' } };
}

export function signingKey(db: Queryable): Promise<SigningKey> {
  let k = keyCache.get(db);
  if (!k) {
    k = loadKey(db);
    k.catch(() => keyCache.delete(db));
    keyCache.set(db, k);
  }
  return k;
}

export function discovery(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'profile'],
    claims_supported: ['sub', 'name', 'nonce', 'iss', 'aud', 'exp', 'iat', 'auth_time'],
  };
}

export async function jwks(db: Queryable) {
  return { keys: [(await signingKey(db)).publicJwk] };
}

export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state?: string;
  nonce?: string;
  code_challenge: string;
  code_challenge_method: string;
}

/** Validate an authorization request; an English reason when refused. */
export function checkAuthorize(q: Record<string, unknown>, clients: DevClient[]): { ok: true; params: AuthorizeParams } | { ok: false; reason: string; redirectable: boolean } {
  const s = (k: string, max = 2000) => (typeof q[k] === 'string' && (q[k] as string).length <= max ? (q[k] as string) : undefined);
  const client = clients.find((c) => c.clientId === s('client_id', 200));
  if (!client) return { ok: false, reason: 'unknown client_id', redirectable: false };
  const redirect = s('redirect_uri');
  if (!redirect || !redirectAllowed(client, redirect)) return { ok: false, reason: 'redirect_uri not registered', redirectable: false };
  if (s('response_type') !== 'code') return { ok: false, reason: 'response_type must be code', redirectable: true };
  if (!(s('scope') ?? '').split(' ').includes('openid')) return { ok: false, reason: 'scope must include openid', redirectable: true };
  const challenge = s('code_challenge', 128);
  if (!challenge || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge) || s('code_challenge_method') !== 'S256') return { ok: false, reason: 'PKCE S256 required', redirectable: true };
  return {
    ok: true,
    params: { response_type: 'code', client_id: client.clientId, redirect_uri: redirect, scope: s('scope')!, state: s('state', 500), nonce: s('nonce', 500), code_challenge: challenge, code_challenge_method: 'S256' },
  };
}

function redirectAllowed(c: DevClient, uri: string): boolean {
  if (c.redirectUris) return c.redirectUris.includes(uri);
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/auth/callback' && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** Issue a one-time authorization code for `sub` (valid 60 s). */
export async function issueCode(db: Queryable, p: AuthorizeParams, sub: string): Promise<string> {
  const code = b64url(randomBytes(32));
  await db.query(`DELETE FROM oidc_code WHERE expires_at < now() - interval '1 hour'`);
  await db.query(`INSERT INTO oidc_code (code_hash, client_id, redirect_uri, sub, nonce, code_challenge, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + interval '60 seconds')`, [
    sha256hex(code),
    p.client_id,
    p.redirect_uri,
    sub,
    p.nonce ?? null,
    p.code_challenge,
  ]);
  return code;
}

function safeEq(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type TokenResult = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; error: string; description: string };

/** The token endpoint: authorization_code grant with PKCE; client_secret_basic or _post. */
export async function exchangeCode(db: Queryable, issuer: string, form: Record<string, unknown>, authorization: string | undefined, clients: DevClient[]): Promise<TokenResult> {
  const s = (k: string) => (typeof form[k] === 'string' && (form[k] as string).length <= 2000 ? (form[k] as string) : undefined);
  let clientId = s('client_id');
  let secret = s('client_secret');
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id);
    secret = decodeURIComponent(rest.join(':'));
  }
  const client = clients.find((c) => c.clientId === clientId);
  if (!client || !secret || !safeEq(secret, client.clientSecret)) return { ok: false, status: 401, error: 'invalid_client', description: 'unknown client or wrong secret' };
  if (s('grant_type') !== 'authorization_code') return { ok: false, status: 400, error: 'unsupported_grant_type', description: 'authorization_code only' };
  const code = s('code');
  const verifier = s('code_verifier');
  if (!code || !verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return { ok: false, status: 400, error: 'invalid_request', description: 'code and code_verifier required' };
  const r = await db.query<{ client_id: string; redirect_uri: string; sub: string; nonce: string | null; code_challenge: string }>(
    `UPDATE oidc_code SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING client_id, redirect_uri, sub, nonce, code_challenge`,
    [sha256hex(code)],
  );
  const row = r.rows[0];
  if (!row || row.client_id !== client.clientId || row.redirect_uri !== s('redirect_uri')) return { ok: false, status: 400, error: 'invalid_grant', description: 'invalid, used or expired code' };
  if (!safeEq(b64url(createHash('sha256').update(verifier).digest()), row.code_challenge)) return { ok: false, status: 400, error: 'invalid_grant', description: 'PKCE verification failed' };
  const key = await signingKey(db);
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { auth_time: now };
  if (row.nonce) claims.nonce = row.nonce;
  const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).setIssuer(issuer).setSubject(row.sub).setAudience(client.clientId).setIssuedAt(now).setExpirationTime(now + 300).sign(key.privateKey);
  return { ok: true, body: { access_token: b64url(randomBytes(32)), token_type: 'Bearer', expires_in: 300, id_token: idToken, scope: 'openid' } };
}
