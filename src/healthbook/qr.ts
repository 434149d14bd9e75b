// Signed QR codes for referrals (XML13) and re-examination appointments (XML14). The QR text is
//   SSK1.<base64url(compact JSON)>.<base64url(Ed25519 signature over "SSK1.<payload>")>
// so a receiving clinic verifies it offline with the gateway's public key (GET /api/v1/book/qr-key).
// verifyQr is pure (node:crypto only).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject, type JsonWebKey } from 'node:crypto';
import QRCode from 'qrcode';
import { problem, ProblemError, defineErrors, type Problem } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { writeAudit, type Actor } from '../access/index.ts';
import { BOOK } from './errors.ts';
import { getEntry, type BookEntry } from './book.ts';

export const QR = defineErrors({
  BOOK_QR_FORMAT: { rule: 'SSK1.<payload>.<signature>', vi: 'Mã QR không đúng định dạng', en: 'The QR text is not in the expected format' },
  BOOK_QR_SIGNATURE: { rule: 'Ed25519 signature by the gateway key', vi: 'Chữ ký trên mã QR không hợp lệ', en: 'The QR signature is not valid' },
  BOOK_QR_KEY: { rule: 'known key id', vi: 'Mã QR được ký bằng khóa không được tin cậy', en: 'The QR was signed with an untrusted key' },
  BOOK_QR_EXPIRED: { rule: 'appointment not long past', vi: 'Giấy đã hết hiệu lực', en: 'The document is no longer valid' },
});

export const QR_PREFIX = 'SSK1';

export interface QrPayload {
  v: 1;
  /** R = referral (XML13), A = appointment (XML14). */
  t: 'R' | 'A';
  /** Key id (first 16 hex of SHA-256 of the public key's SPKI DER). */
  k: string;
  /** Entry id in the book, facility, MA_LK, version. */
  e: number;
  f: string;
  lk: string;
  ver: number;
  /** Document number: SO_CHUYENTUYEN / SO_GIAYHEN_KL. */
  n: string;
  /** Personal ID, name, birth date (yyyyMMdd). */
  p: string;
  nm: string;
  b: string;
  /** Main diagnosis (ICD-10). */
  dx: string;
  /** Referral: destination facility; appointment: the appointment time (yyyyMMddHHmm). */
  to?: string;
  at?: string;
  /** Issue date yyyyMMdd. */
  d: string;
}

export type QrVerification = { ok: true; payload: QrPayload; keyId: string } | { ok: false; code: string; reason: Problem };

export function keyIdOf(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function toPublicKey(k: KeyObject | string | Buffer): KeyObject {
  if (typeof k === 'object' && 'asymmetricKeyType' in k) return k.type === 'private' ? createPublicKey(k) : k;
  return createPublicKey(k as string | Buffer);
}

/** Verify a QR text offline with one or more trusted public keys (PEM, DER SPKI or KeyObject). */
export function verifyQr(text: string, publicKey: KeyObject | string | Buffer | (KeyObject | string | Buffer)[], opts: { at?: Date; graceDays?: number } = {}): QrVerification {
  const fail = (def: typeof QR.BOOK_QR_FORMAT): QrVerification => ({ ok: false, code: def.code, reason: problem(def, 'qr') });
  if (typeof text !== 'string' || text.length > 2000) return fail(QR.BOOK_QR_FORMAT);
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== QR_PREFIX || !/^[\w-]+$/.test(parts[1]) || !/^[\w-]+$/.test(parts[2])) return fail(QR.BOOK_QR_FORMAT);
  let payload: QrPayload;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return fail(QR.BOOK_QR_FORMAT);
  }
  if (!payload || payload.v !== 1 || (payload.t !== 'R' && payload.t !== 'A') || typeof payload.k !== 'string') return fail(QR.BOOK_QR_FORMAT);
  const keys = (Array.isArray(publicKey) ? publicKey : [publicKey]).map(toPublicKey);
  const key = keys.find((k) => keyIdOf(k) === payload.k);
  if (!key) return fail(QR.BOOK_QR_KEY);
  const sig = Buffer.from(parts[2], 'base64url');
  if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), key, sig)) return fail(QR.BOOK_QR_SIGNATURE);
  if (payload.t === 'A' && payload.at) {
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(payload.at);
    const grace = (opts.graceDays ?? 30) * 86_400_000;
    if (m && Date.UTC(+m[1], +m[2] - 1, +m[3]) + grace < (opts.at ?? new Date()).getTime()) return fail(QR.BOOK_QR_EXPIRED);
  }
  return { ok: true, payload, keyId: payload.k };
}

export function signQr(payload: Omit<QrPayload, 'k' | 'v'>, privateKey: KeyObject): string {
  const pub = createPublicKey(privateKey);
  const full: QrPayload = { v: 1, k: keyIdOf(pub), ...payload } as QrPayload;
  const body = `${QR_PREFIX}.${Buffer.from(JSON.stringify(full)).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
}

export interface QrKey {
  keyId: string;
  alg: 'Ed25519';
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

const cache = new WeakMap<object, QrKey>();

/** The gateway's active QR key, created on first use and kept in the database. */
export async function gatewayQrKey(db: Queryable): Promise<QrKey> {
  const hit = cache.get(db);
  if (hit) return hit;
  let row = (await db.query(`SELECT key_id, private_pem, public_pem FROM book_signing_key WHERE active ORDER BY created_at DESC LIMIT 1`)).rows[0];
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyId = keyIdOf(publicKey);
    await db.query(`INSERT INTO book_signing_key (key_id, alg, private_pem, public_pem) VALUES ($1, 'Ed25519', $2, $3) ON CONFLICT DO NOTHING`, [
      keyId, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ]);
    row = (await db.query(`SELECT key_id, private_pem, public_pem FROM book_signing_key WHERE active ORDER BY created_at DESC LIMIT 1`)).rows[0];
  }
  const privateKey = createPrivateKey(row.private_pem);
  const key: QrKey = { keyId: row.key_id, alg: 'Ed25519', privateKey, publicKey: createPublicKey(row.public_pem), publicPem: row.public_pem };
  cache.set(db, key);
  return key;
}

/** Every public key a verifier should trust (active and retired), as PEM and JWK. */
export async function qrPublicKeys(db: Queryable): Promise<{ keyId: string; alg: string; active: boolean; pem: string; jwk: JsonWebKey }[]> {
  await gatewayQrKey(db);
  const r = await db.query(`SELECT key_id, alg, active, public_pem FROM book_signing_key ORDER BY created_at DESC`);
  return r.rows.map((x) => ({ keyId: x.key_id, alg: x.alg, active: x.active, pem: x.public_pem, jwk: createPublicKey(x.public_pem).export({ format: 'jwk' }) }));
}

const d8 = (s: string | undefined) => (s ?? '').trim().slice(0, 8);

/** The signed payload of a referral or appointment entry. */
export function qrPayloadOf(e: BookEntry, personalId: string): Omit<QrPayload, 'k' | 'v'> {
  const r = e.data as Record<string, string>;
  if (e.kind === 'referral') {
    return { t: 'R', e: e.id, f: e.macskcb, lk: e.maLk, ver: e.version, n: (r.SO_CHUYENTUYEN || r.GIAY_CHUYEN_TUYEN || '').trim(), p: personalId, nm: (r.HO_TEN ?? '').trim(), b: d8(r.NGAY_SINH), dx: (r.MA_BENH_CHINH ?? '').trim(), to: (r.MA_CSKCB_DEN || r.MA_NOI_DEN || '').trim(), d: d8(r.NGAY_RA) || d8(r.NGAY_VAO) };
  }
  if (e.kind === 'appointment') {
    return { t: 'A', e: e.id, f: e.macskcb, lk: e.maLk, ver: e.version, n: (r.SO_GIAYHEN_KL ?? '').trim(), p: personalId, nm: (r.HO_TEN ?? '').trim(), b: d8(r.NGAY_SINH), dx: (r.MA_BENH_CHINH ?? '').trim(), at: (r.NGAY_HEN_KL ?? '').trim(), d: d8(r.NGAY_CT) || d8(r.NGAY_RA) };
  }
  throw ProblemError.of(BOOK.BOOK_NO_QR, 'entry.kind');
}

/**
 * The QR of one referral/appointment entry, read under the same access rule as the book (the
 * citizen's own, or a facility/doctor under consent): text, SVG, and PNG when asked.
 */
export async function qrFor(db: Db, actor: Actor, entryId: number, opts: { png?: boolean } = {}): Promise<{ text: string; svg: string; png?: Buffer; payload: QrPayload }> {
  const e = await getEntry(db, actor, entryId);
  if (e.kind !== 'referral' && e.kind !== 'appointment') throw ProblemError.of(BOOK.BOOK_NO_QR, 'entry.kind');
  const pid = (await db.query(`SELECT personal_id FROM book_entry WHERE id = $1`, [entryId])).rows[0].personal_id as string;
  const key = await gatewayQrKey(db);
  const text = signQr(qrPayloadOf(e, pid), key.privateKey);
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const png = opts.png ? await QRCode.toBuffer(text, { errorCorrectionLevel: 'M', margin: 2, scale: 4 }) : undefined;
  return { text, svg, png, payload: JSON.parse(Buffer.from(text.split('.')[1], 'base64url').toString()) };
}

/**
 * A clinic verifies a referral/appointment the patient shows: the offline check, plus the online
 * status (still current, or replaced by a newer version). Audited against the citizen's book.
 */
export async function verifyShown(db: Db, actor: Actor, text: string): Promise<QrVerification & { status?: 'current' | 'replaced' | 'unknown' }> {
  const keys = await qrPublicKeys(db);
  const v = verifyQr(text, keys.map((k) => k.pem));
  if (!v.ok) return v;
  const r = (await db.query(`SELECT current, personal_id FROM book_entry WHERE id = $1`, [v.payload.e])).rows[0];
  const status = !r || r.personal_id !== v.payload.p ? 'unknown' : r.current ? 'current' : 'replaced';
  await writeAudit(db, { personalId: v.payload.p, actor, action: 'verify-document', outcome: 'allowed', entryCount: 1, detail: { entryId: v.payload.e, kind: v.payload.t, status } });
  return { ...v, status };
}
