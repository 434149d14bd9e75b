// Signed receipts: the gateway signs what it received (the package's SHA-256, the time, the
// result) with its own Ed25519 key, so a facility can prove later what it sent and when it was
// accepted. Verification needs only the receipt and the gateway's public key (offline).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import type { Problem } from '../errors/index.ts';

export type ReceiptStatus = 'accepted' | 'rejected' | 'partial';

export interface DossierResult {
  maLk: string;
  status: 'accepted' | 'rejected';
  version?: number;
  dossierId?: number;
  replacesId?: number;
  problems: Problem[];
}

export interface UnsignedReceipt {
  receiptId: string;
  packageSha256: string;
  macskcb: string;
  kind: 'dossier' | 'checkin' | 'gdyk' | 'certificate';
  status: ReceiptStatus;
  receivedAt: string;
  acceptedAt?: string;
  dossiers: DossierResult[];
  checkins?: { checkinId: number; maLk: string }[];
  /** A death notice or driving-licence health check: its kind, number and whether it replaces an earlier one. */
  document?: { type: 'death_notice' | 'driving_check'; number: string; replaces: boolean };
  problems: Problem[];
}

export interface Receipt extends UnsignedReceipt {
  signature: { alg: 'Ed25519'; keyId: string; value: string };
}

export interface ReceiptKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

/** Deterministic JSON: object keys sorted, no whitespace; undefined members dropped. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function receiptKeyFromPem(privatePem: string): ReceiptKey {
  const privateKey = createPrivateKey(privatePem);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The active receipt key: from config, else the one kept in the database (created once). */
export async function loadReceiptKey(db: Queryable, configuredPem?: string): Promise<ReceiptKey> {
  if (configuredPem) return receiptKeyFromPem(configuredPem);
  const found = await db.query(`SELECT private_pem FROM gateway_receipt_key WHERE active ORDER BY created_at LIMIT 1`);
  if (found.rows[0]) return receiptKeyFromPem(found.rows[0].private_pem);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const k = receiptKeyFromPem(pem);
  // Two processes starting together: both insert, the first row wins, both read it back.
  await db.query(`INSERT INTO gateway_receipt_key (key_id, private_pem, public_pem) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [k.keyId, pem, k.publicPem]);
  const again = await db.query(`SELECT private_pem FROM gateway_receipt_key WHERE active ORDER BY created_at, key_id LIMIT 1`);
  return receiptKeyFromPem(again.rows[0].private_pem);
}

export function signReceipt(r: UnsignedReceipt, key: ReceiptKey): Receipt {
  const value = sign(null, Buffer.from(canonicalJson(r)), key.privateKey).toString('base64');
  return { ...r, signature: { alg: 'Ed25519', keyId: key.keyId, value } };
}

export interface ReceiptCheck {
  ok: boolean;
  reason?: string;
}

/** Verify a receipt with the gateway's public key (PEM). Pure, offline. */
export function verifyReceipt(receipt: unknown, publicKeyPem: string): ReceiptCheck {
  if (!receipt || typeof receipt !== 'object') return { ok: false, reason: 'not a receipt object' };
  const { signature, ...rest } = receipt as Receipt;
  if (!signature || signature.alg !== 'Ed25519' || typeof signature.value !== 'string') return { ok: false, reason: 'no Ed25519 signature' };
  let pub: KeyObject;
  try {
    pub = createPublicKey(publicKeyPem);
  } catch {
    return { ok: false, reason: 'public key unreadable' };
  }
  if (keyIdOf(pub) !== signature.keyId) return { ok: false, reason: `key id ${signature.keyId} does not match the given key ${keyIdOf(pub)}` };
  const ok = verify(null, Buffer.from(canonicalJson(rest)), pub, Buffer.from(signature.value, 'base64'));
  return ok ? { ok } : { ok, reason: 'signature does not match the receipt content' };
}
