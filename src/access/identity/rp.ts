// The relying party: citizen sign-in with any OpenID Connect provider (authorization code + PKCE,
// ID token checked with jose against the provider's JWKS: signature, issuer, audience, expiry,
// nonce). By default the provider is this gateway's own development provider at /oidc.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Queryable } from '../../store/index.ts';
import { problem, ProblemError } from '../../errors/index.ts';
import { IDN } from './errors.ts';

export interface RpConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Claim holding the 12-digit personal ID (default `sub`). */
  personalIdClaim: string;
  scope: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const sha256hex = (t: string) => createHash('sha256').update(t).digest('hex');
const discoCache = new Map<string, { at: number; d: Discovery }>();
const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

async function fetchJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'error' });
  } catch (e) {
    throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'issuer', { detail: 'unreachable' }));
  }
  const text = await res.text();
  if (text.length > 1_000_000) throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'issuer', { detail: 'answer too large' }));
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'issuer', { detail: `HTTP ${res.status}, not JSON` }));
  }
}

export async function discover(issuer: string): Promise<Discovery> {
  const hit = discoCache.get(issuer);
  if (hit && Date.now() - hit.at < 10 * 60_000) return hit.d;
  const { status, body } = await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (status !== 200 || body?.issuer !== issuer || typeof body.authorization_endpoint !== 'string' || typeof body.token_endpoint !== 'string' || typeof body.jwks_uri !== 'string') {
    throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'issuer', { detail: 'discovery document' }));
  }
  const d: Discovery = { issuer: body.issuer, authorization_endpoint: body.authorization_endpoint, token_endpoint: body.token_endpoint, jwks_uri: body.jwks_uri };
  discoCache.set(issuer, { at: Date.now(), d });
  return d;
}

/** Start a sign-in: store state/nonce/PKCE verifier and return the provider URL to redirect to. */
export async function beginLogin(db: Queryable, c: RpConfig, returnTo: string): Promise<string> {
  const d = await discover(c.issuer);
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  await db.query(`DELETE FROM oidc_login WHERE expires_at < now()`);
  await db.query(`INSERT INTO oidc_login (state_hash, nonce, verifier, return_to, expires_at) VALUES ($1, $2, $3, $4, now() + interval '10 minutes')`, [sha256hex(state), nonce, verifier, safeReturn(returnTo)]);
  const u = new URL(d.authorization_endpoint);
  const q = { response_type: 'code', client_id: c.clientId, redirect_uri: c.redirectUri, scope: c.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  return u.toString();
}

/** Only local paths are followed after sign-in (no open redirect). */
export function safeReturn(p: string | undefined): string {
  return typeof p === 'string' && /^\/(?![/\\])[^\s]{0,500}$/.test(p) ? p : '/cong-dan';
}

/** Finish a sign-in: exchange the code, verify the ID token; returns the personal ID and where to go. */
export async function finishLogin(db: Queryable, c: RpConfig, q: { code?: unknown; state?: unknown; error?: unknown }): Promise<{ personalId: string; name?: string; returnTo: string }> {
  if (typeof q.state !== 'string' || q.state.length > 200) throw ProblemError.of(IDN.ACC_ID_LOGIN_STATE, 'state');
  const r = await db.query<{ nonce: string; verifier: string; return_to: string }>(`DELETE FROM oidc_login WHERE state_hash = $1 AND expires_at > now() RETURNING nonce, verifier, return_to`, [sha256hex(q.state)]);
  const login = r.rows[0];
  if (!login) throw ProblemError.of(IDN.ACC_ID_LOGIN_STATE, 'state');
  if (typeof q.error === 'string') throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'error', { detail: q.error.slice(0, 60) }));
  if (typeof q.code !== 'string' || q.code.length > 2000) throw new ProblemError(problem(IDN.ACC_ID_OIDC_REQUEST, 'code', { rule: 'code', detail: 'missing code' }));
  const d = await discover(c.issuer);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: q.code, redirect_uri: c.redirectUri, code_verifier: login.verifier, client_id: c.clientId });
  const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64');
  const { status, body } = await fetchJson(d.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, body: form.toString() });
  if (status !== 200 || typeof body?.id_token !== 'string') throw new ProblemError(problem(IDN.ACC_ID_PROVIDER, 'token', { detail: String(body?.error ?? `HTTP ${status}`).slice(0, 60) }));
  let jwks = jwksCache.get(d.jwks_uri);
  if (!jwks) jwksCache.set(d.jwks_uri, (jwks = createRemoteJWKSet(new URL(d.jwks_uri))));
  let payload: Record<string, unknown>;
  try {
    payload = (await jwtVerify(body.id_token, jwks, { issuer: d.issuer, audience: c.clientId, algorithms: ['RS256', 'ES256', 'PS256'], maxTokenAge: '10m' })).payload;
  } catch {
    throw ProblemError.of(IDN.ACC_ID_TOKEN_INVALID, 'id_token');
  }
  if (payload.nonce !== login.nonce) throw ProblemError.of(IDN.ACC_ID_TOKEN_INVALID, 'id_token.nonce');
  const personalId = String(payload[c.personalIdClaim] ?? '');
  if (!/^\d{12}$/.test(personalId)) throw ProblemError.of(IDN.ACC_ID_PERSONAL_ID, `id_token.${c.personalIdClaim}`);
  return { personalId, name: typeof payload.name === 'string' ? payload.name.slice(0, 200) : undefined, returnTo: login.return_to };
}
