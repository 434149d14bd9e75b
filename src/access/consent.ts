// Consent grants: a citizen grants a facility or one doctor access to their book for a purpose,
// a limited time and a scope (whole book, since a date, some kinds of entries). The grant is
// issued as a one-time code (also shown as a QR), bound to the grantee when presented, revocable,
// and checked at every read.
import { createHash, randomInt } from 'node:crypto';
import { ProblemError, type ErrorDef } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { ACC } from './errors.ts';
import { PERSONAL_ID, type Actor } from './actor.ts';

export type Scope = { kind: 'whole' } | { kind: 'since'; since: Date } | { kind: 'kinds'; kinds: string[] };
export type Grantee = { kind: 'facility'; macskcb: string } | { kind: 'doctor'; licence: string } | { kind: 'any' };

export interface Consent {
  id: number;
  personalId: string;
  grantee: Grantee;
  purpose: string;
  scope: Scope;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  claimedAt: Date | null;
  claimedBy: string | null;
  status: 'pending' | 'active' | 'expired' | 'revoked';
}

export interface GrantInput {
  grantee?: Grantee;
  purpose: string;
  /** Absolute expiry, or minutes from now (default 24 h). At most 365 days. */
  expiresAt?: Date;
  minutes?: number;
  scope?: Scope;
  /** How long the one-time code can be presented (default 15 min, never after expiry). */
  codeMinutes?: number;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const MAX_MINUTES = 365 * 24 * 60;

export function hashCode(code: string): string {
  return createHash('sha256').update('ssk-consent:' + code.trim().toUpperCase().replace(/[\s-]/g, '')).digest('hex');
}

function newCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

function bad(field: string, detail: string): ProblemError {
  return ProblemError.of(ACC.ACC_BAD_INPUT, field, { field, detail, rule: detail });
}

function statusOf(r: any, now = new Date()): Consent['status'] {
  if (r.revoked_at) return 'revoked';
  if (new Date(r.expires_at) <= now) return 'expired';
  return r.claimed_at ? 'active' : 'pending';
}

function toConsent(r: any): Consent {
  const grantee: Grantee = r.grantee_kind === 'facility' ? { kind: 'facility', macskcb: r.grantee_macskcb } : r.grantee_kind === 'doctor' ? { kind: 'doctor', licence: r.grantee_doctor } : { kind: 'any' };
  const scope: Scope = r.scope_kind === 'since' ? { kind: 'since', since: new Date(r.scope_since) } : r.scope_kind === 'kinds' ? { kind: 'kinds', kinds: r.scope_kinds ?? [] } : { kind: 'whole' };
  return {
    id: r.id, personalId: r.personal_id, grantee, purpose: r.purpose, scope, issuedAt: r.issued_at, expiresAt: r.expires_at,
    revokedAt: r.revoked_at, claimedAt: r.claimed_at, claimedBy: r.claimed_by, status: statusOf(r),
  };
}

function requireCitizen(actor: Actor): string {
  if (actor.role !== 'citizen') throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'citizen' });
  if (!PERSONAL_ID.test(actor.sub)) throw ProblemError.of(ACC.ACC_BAD_PERSONAL_ID, 'principal.sub');
  return actor.sub;
}

/** The citizen issues a grant; returns it with the one-time code (shown once) and the QR text. */
export async function grantConsent(db: Queryable, citizen: Actor, input: GrantInput): Promise<{ consent: Consent; code: string; qrText: string; codeExpiresAt: Date }> {
  const personalId = requireCitizen(citizen);
  const purpose = String(input.purpose ?? '').trim();
  if (!purpose || purpose.length > 500) throw bad('purpose', '1–500 characters');
  const now = Date.now();
  let expires: Date;
  if (input.expiresAt) expires = new Date(input.expiresAt);
  else expires = new Date(now + (input.minutes ?? 24 * 60) * 60_000);
  if (Number.isNaN(expires.getTime()) || expires.getTime() <= now) throw bad('expiresAt', 'must be in the future');
  if (expires.getTime() > now + MAX_MINUTES * 60_000) throw bad('expiresAt', 'at most 365 days');
  const grantee: Grantee = input.grantee ?? { kind: 'any' };
  if (grantee.kind === 'facility' && !/^[0-9A-Za-z]{5}$/.test(grantee.macskcb ?? '')) throw bad('grantee.macskcb', '5-character facility code');
  if (grantee.kind === 'doctor' && !/^[\w./-]{3,255}$/.test(grantee.licence ?? '')) throw bad('grantee.licence', 'practitioner licence number');
  const scope: Scope = input.scope ?? { kind: 'whole' };
  if (scope.kind === 'since' && Number.isNaN(new Date(scope.since).getTime())) throw bad('scope.since', 'a date');
  if (scope.kind === 'kinds' && (!Array.isArray(scope.kinds) || !scope.kinds.length || scope.kinds.length > 30 || scope.kinds.some((k) => !/^[a-z_]{2,40}$/.test(k)))) throw bad('scope.kinds', 'a list of entry kinds');
  const code = newCode();
  const codeExpires = new Date(Math.min(expires.getTime(), now + (input.codeMinutes ?? 15) * 60_000));
  const r = await db.query(
    `INSERT INTO consent_grant (personal_id, grantee_kind, grantee_macskcb, grantee_doctor, purpose, scope_kind, scope_since, scope_kinds, expires_at, code_hash, code_expires_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
    [personalId, grantee.kind, grantee.kind === 'facility' ? grantee.macskcb.toUpperCase() : null, grantee.kind === 'doctor' ? grantee.licence : null, purpose, scope.kind,
      scope.kind === 'since' ? new Date(scope.since) : null, scope.kind === 'kinds' ? scope.kinds : null, expires, hashCode(code), codeExpires],
  );
  return { consent: toConsent(r.rows[0]), code, qrText: `SSKCONSENT:${code}`, codeExpiresAt: codeExpires };
}

function granteeMatches(c: Grantee, actor: Actor): boolean {
  if (c.kind === 'facility') return (actor.role === 'facility' || actor.role === 'doctor') && (actor.macskcb ?? '').toUpperCase() === c.macskcb;
  if (c.kind === 'doctor') return actor.role === 'doctor' && (actor.licence ?? actor.sub) === c.licence;
  return false;
}

/** A facility or doctor presents the one-time code (or the QR text): the grant becomes active and bound to them. */
export async function claimConsent(db: Db, actor: Actor, codeOrQr: string): Promise<Consent> {
  if (actor.role !== 'facility' && actor.role !== 'doctor') throw ProblemError.of(ACC.ACC_FORBIDDEN_ROLE, 'principal.role', { roles: 'facility, doctor' });
  const code = String(codeOrQr ?? '').replace(/^SSKCONSENT:/, '');
  if (!/^[A-Za-z0-9 -]{6,20}$/.test(code)) throw ProblemError.of(ACC.ACC_CONSENT_CODE, 'code');
  return db.transaction(async (tx) => {
    const r = await tx.query(`SELECT * FROM consent_grant WHERE code_hash = $1 FOR UPDATE`, [hashCode(code)]);
    const row = r.rows[0];
    if (!row || row.claimed_at || row.revoked_at || new Date(row.code_expires_at) <= new Date() || new Date(row.expires_at) <= new Date()) throw ProblemError.of(ACC.ACC_CONSENT_CODE, 'code');
    const c = toConsent(row);
    let kind = row.grantee_kind, mac = row.grantee_macskcb, doc = row.grantee_doctor;
    if (c.grantee.kind === 'any') {
      if (actor.role === 'doctor') { kind = 'doctor'; doc = actor.licence ?? actor.sub; mac = null; }
      else { kind = 'facility'; mac = (actor.macskcb ?? '').toUpperCase(); }
      if (kind === 'facility' && !mac) throw ProblemError.of(ACC.ACC_CONSENT_GRANTEE, 'code');
    } else if (!granteeMatches(c.grantee, actor)) throw ProblemError.of(ACC.ACC_CONSENT_GRANTEE, 'code');
    const u = await tx.query(
      `UPDATE consent_grant SET claimed_at = now(), claimed_by = $2, grantee_kind = $3, grantee_macskcb = $4, grantee_doctor = $5 WHERE id = $1 RETURNING *`,
      [row.id, `${actor.role}:${actor.licence ?? actor.sub}${actor.macskcb ? '@' + actor.macskcb : ''}`, kind, mac, doc],
    );
    return toConsent(u.rows[0]);
  });
}

export async function revokeConsent(db: Queryable, citizen: Actor, id: number): Promise<Consent> {
  const personalId = requireCitizen(citizen);
  const r = await db.query(`UPDATE consent_grant SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND personal_id = $2 RETURNING *`, [id, personalId]);
  if (!r.rows.length) throw ProblemError.of(ACC.ACC_CONSENT_NOT_FOUND, 'id');
  return toConsent(r.rows[0]);
}

export async function listConsents(db: Queryable, personalId: string): Promise<Consent[]> {
  const r = await db.query(`SELECT * FROM consent_grant WHERE personal_id = $1 ORDER BY id DESC LIMIT 500`, [personalId]);
  return r.rows.map(toConsent);
}

/** Consents a facility/doctor holds (active ones), for the doctor's patient list. */
export async function consentsHeldBy(db: Queryable, actor: Actor): Promise<Consent[]> {
  const r = await db.query(
    `SELECT * FROM consent_grant WHERE claimed_at IS NOT NULL AND revoked_at IS NULL AND expires_at > now()
     AND ((grantee_kind = 'facility' AND grantee_macskcb = $1) OR (grantee_kind = 'doctor' AND $2::text IS NOT NULL AND grantee_doctor = $2)) ORDER BY id DESC LIMIT 500`,
    [(actor.macskcb ?? '').toUpperCase(), actor.role === 'doctor' ? actor.licence ?? actor.sub : null],
  );
  return r.rows.map(toConsent);
}

export interface ReadRequest {
  kinds?: string[];
  since?: Date;
}

export type ConsentCheck =
  | { ok: true; consent: Consent; kinds?: string[]; since?: Date }
  | { ok: false; def: ErrorDef; reason: string; consentId?: number };

/**
 * The check made at every read by someone other than the citizen: an active grant held by this
 * facility/doctor whose scope covers the request. Returns the filter to apply (scope ∩ request).
 */
export async function checkConsent(q: Queryable, actor: Actor, personalId: string, req: ReadRequest = {}, at = new Date()): Promise<ConsentCheck> {
  const r = await q.query(`SELECT * FROM consent_grant WHERE personal_id = $1 AND claimed_at IS NOT NULL ORDER BY id DESC LIMIT 200`, [personalId]);
  const mine = r.rows.map(toConsent).filter((c) => granteeMatches(c.grantee, actor));
  if (!mine.length) return { ok: false, def: ACC.ACC_NO_CONSENT, reason: 'no-consent' };
  const live = mine.filter((c) => !c.revokedAt && new Date(c.expiresAt) > at);
  if (!live.length) {
    const revoked = mine.find((c) => c.revokedAt);
    if (revoked && mine.every((c) => c.revokedAt)) return { ok: false, def: ACC.ACC_CONSENT_REVOKED, reason: 'revoked', consentId: revoked.id };
    return { ok: false, def: ACC.ACC_CONSENT_EXPIRED, reason: 'expired', consentId: mine[0].id };
  }
  let lastScope: Consent | undefined;
  for (const c of live) {
    const s = c.scope;
    if (s.kind === 'whole') return { ok: true, consent: c, kinds: req.kinds, since: req.since };
    if (s.kind === 'since') {
      if (req.since && req.since < s.since) { lastScope = c; continue; }
      return { ok: true, consent: c, kinds: req.kinds, since: req.since ?? s.since };
    }
    if (req.kinds && req.kinds.some((k) => !s.kinds.includes(k))) { lastScope = c; continue; }
    return { ok: true, consent: c, kinds: req.kinds ?? s.kinds, since: req.since };
  }
  return { ok: false, def: ACC.ACC_CONSENT_SCOPE, reason: 'out-of-scope', consentId: lastScope?.id };
}
