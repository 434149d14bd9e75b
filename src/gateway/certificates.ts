// Death notices (giấy báo tử) and driving-licence health checks (giấy KSK lái xe): documents a
// facility signs and sends on their own (format in src/standard/certificates.ts). The same checks
// as every submission (size, replay, signature against the facility's registered certificate at
// signing time), then: MA_CSKCB is the token's facility, the field rules, one document per number
// unless it is a declared replacement — and in one transaction the exact bytes in the archive,
// an outbox event `certificate.accepted` (the health book takes it from there) and the signed receipt.
import { ProblemError, problem, type Problem } from '../errors/index.ts';
import { parseCertificateDoc, validateCertificateRow, CERTIFICATES } from '../standard/index.ts';
import { publish } from '../store/index.ts';
import { GW } from './errors.ts';
import { signReceipt } from './receipt.ts';
import { precheck, reject, storedReceipt, b64, type SubmitInput, type SubmitResult } from './pipeline.ts';
import type { GatewayContext } from './app.ts';

export async function submitCertificate(ctx: GatewayContext, input: SubmitInput): Promise<SubmitResult> {
  const pre = await precheck(ctx, 'certificate', input);
  if (pre.done) return pre.done;
  const { sha, r } = pre;
  const { bytes, principal } = input;
  let doc: ReturnType<typeof parseCertificateDoc>;
  try {
    doc = parseCertificateDoc(bytes, { maxBytes: ctx.config.maxPackageBytes });
  } catch (e) {
    if (e instanceof ProblemError) return reject(ctx, ctx.db, r, bytes, e.problems);
    throw e;
  }
  const { kind, row } = doc;
  const problems: Problem[] = [...doc.problems, ...validateCertificateRow(kind, row)];
  const macskcb = (row.MA_CSKCB ?? '').toUpperCase();
  if (macskcb && macskcb !== principal.macskcb.toUpperCase()) problems.push(problem(GW.GW_FACILITY_MISMATCH, `${kind}.MA_CSKCB`, { found: macskcb.slice(0, 10), expected: principal.macskcb }));
  if (problems.some((p) => p.severity === 'error')) return reject(ctx, ctx.db, r, bytes, problems);
  const number = row[CERTIFICATES[kind].numberField];
  const replaces = input.replaces !== undefined;
  const document = { type: kind, number, replaces };
  const out = await ctx.db.transaction(async (tx): Promise<SubmitResult | { duplicate: true }> => {
    // One document per (facility, kind, number) unless replacing: serialized per number across gateways.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`certificate:${principal.macskcb}|${kind}|${number}`]);
    const prev = (
      await tx.query(
        `SELECT 1 FROM package_archive WHERE kind = 'certificate' AND macskcb = $1 AND receipt->'document'->>'number' = $2 AND receipt->'document'->>'type' = $3 AND status = 'accepted' LIMIT 1`,
        [principal.macskcb, number, kind],
      )
    ).rows.length > 0;
    if (prev && !replaces) return { duplicate: true };
    const receipt = signReceipt({ ...r, status: 'accepted', acceptedAt: new Date().toISOString(), document: { ...document, replaces: replaces && prev }, problems }, ctx.receiptKey);
    const ins = await tx.query<{ id: number }>(
      `INSERT INTO package_archive (sha256, macskcb, kind, bytes, size, received_at, status, certificate_id, signed_at, receipt, receipt_id)
       VALUES ($1, $2, 'certificate', decode($3, 'base64'), $4, $5, 'accepted', $6, $7, $8, $9) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [sha, principal.macskcb, b64(bytes), bytes.byteLength, r.receivedAt, pre.certificateId ?? null, pre.signedAt ?? null, JSON.stringify(receipt), receipt.receiptId],
    );
    if (!ins.rows[0]) {
      const again = await storedReceipt(tx, sha);
      if (again) return { receipt: again.receipt, replay: true };
    }
    await publish(tx, 'certificate.accepted', { packageId: Number(ins.rows[0].id), macskcb: principal.macskcb, kind, number, replaces: replaces && prev, acceptedAt: receipt.acceptedAt });
    return { receipt, replay: false };
  });
  // Wake the local outbox worker: the book gets the entry now, not at the next poll.
  if (!('duplicate' in out) && !out.replay) ctx.poke();
  if ('duplicate' in out) return reject(ctx, ctx.db, r, bytes, [problem(GW.GW_CERT_DUPLICATE, `${kind}.${CERTIFICATES[kind].numberField}`, { type: kind, number: number.slice(0, 50) })]);
  return out;
}
