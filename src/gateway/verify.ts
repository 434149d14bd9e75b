// The signature check of a received document, against the facility's registered certificates.
// Uses src/signature's verifySignedXml (pure); maps its result to the gateway's findings.
import { problem, type Problem } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import { GW } from './errors.ts';
import { verifySignedXml } from '../signature/index.ts';

export interface SignatureCheck {
  ok: boolean;
  certificateId?: number;
  signedAt?: Date;
  problems: Problem[];
}

/**
 * Verify the document's signature with the facility's registered certificates as the only
 * acceptable keys. Revoked certificates are tried too, only to say "revoked" rather than "unknown".
 */
export interface RegisteredCert {
  id: number;
  fingerprint: string;
  der: Buffer;
  revoked_at: Date | string | null;
}

export async function facilityCertificates(db: Queryable, macskcb: string): Promise<RegisteredCert[]> {
  return (await db.query<RegisteredCert>(`SELECT id, fingerprint, der, revoked_at FROM facility_certificate WHERE macskcb = $1 ORDER BY id`, [macskcb])).rows;
}

export async function checkSignature(db: Queryable, macskcb: string, bytes: Uint8Array, o: { at?: Date; maxBytes?: number; certs?: RegisteredCert[] } = {}): Promise<SignatureCheck> {
  const certs = o.certs ?? (await facilityCertificates(db, macskcb));
  if (!certs.length) return { ok: false, problems: [problem(GW.GW_CERT_UNREGISTERED, 'CHUKYDONVI')] };
  const r = verifySignedXml(bytes, { expectedCertificates: certs.map((c) => c.der), at: o.at, maxBytes: o.maxBytes });
  if (!r.ok) {
    const why = r.reason;
    const notExpected = (r.code ?? why?.code) === 'SIG_CERT_NOT_EXPECTED';
    const detail = why ? `${why.code}: ${why.en}`.slice(0, 300) : (r.code ?? 'invalid');
    const out: Problem[] = [notExpected ? problem(GW.GW_CERT_UNREGISTERED, why?.path || 'CHUKYDONVI') : problem(GW.GW_SIGNATURE_INVALID, why?.path || 'CHUKYDONVI', { detail })];
    if (why) out.push(why);
    return { ok: false, problems: out };
  }
  const fp = r.certificate?.fingerprint?.toLowerCase();
  const rec = certs.find((c) => c.fingerprint === fp);
  if (!rec) return { ok: false, problems: [problem(GW.GW_CERT_UNREGISTERED, 'CHUKYDONVI')] };
  if (rec.revoked_at) return { ok: false, certificateId: rec.id, problems: [problem(GW.GW_CERT_REVOKED, 'CHUKYDONVI')] };
  return { ok: true, certificateId: rec.id, signedAt: r.signedAt, problems: [] };
}
