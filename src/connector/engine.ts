// The send loop: form packages from queued items (within the gateway's limits), sign them, spool
// the signed bytes (fsynced) and only then mark the items 'sending'; send; record the receipt.
// A package is only ever resent as the same bytes, so an idempotent gateway answers with the same
// receipt; a package with a receipt is never sent again. After a crash: a package never handed to
// the network goes back to the queue; one whose outcome is unknown is resent (idempotent gateway)
// or held for a person (config unknownOutcome).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage, buildCheckIn, buildGdyk, buildCertificateDoc, type CertificateKind, type Dossier, type Row } from '../standard/index.ts';
import { problem, type Problem } from '../errors/index.ts';
import type { Db } from '../store/index.ts';
import { CON } from './errors.ts';
import { writeDurable, readSpool, type Folders } from './spool.ts';
import { backoffMs, type Sender, type SendOutcome } from './sender.ts';
import type { PackageSigner } from './signing.ts';
import type { ConnectorConfig } from './config.ts';
import { sha256, storeFile, processFile, type ItemKind } from './intake.ts';

export interface EngineEvents {
  onEvent?(e: { kind: string; level: 'info' | 'warn' | 'error'; text: string }): void;
}

/** yyyyMMdd of today in Vietnam (UTC+7). */
export function vnDate(d = new Date()): string {
  return new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

interface ItemRow {
  id: number;
  kind: ItemKind;
  macskcb: string;
  ma_lk: string;
  content: any;
  replaces: boolean;
  received_at: Date;
}

export class Engine {
  readonly db: Db;
  readonly cfg: ConnectorConfig;
  readonly f: Folders;
  readonly sender: Sender;
  readonly signer: PackageSigner;
  #events: EngineEvents;
  constructor(db: Db, cfg: ConnectorConfig, f: Folders, sender: Sender, signer: PackageSigner, events: EngineEvents = {}) {
    this.db = db;
    this.cfg = cfg;
    this.f = f;
    this.sender = sender;
    this.signer = signer;
    this.#events = events;
  }

  #emit(kind: string, level: 'info' | 'warn' | 'error', text: string) {
    this.#events.onEvent?.({ kind, level, text });
  }

  async #event(level: string, kind: string, detail: unknown, batchId?: number) {
    await this.db.query(`INSERT INTO con_event (level, kind, batch_id, detail) VALUES ($1, $2, $3, $4::jsonb)`, [level, kind, batchId ?? null, JSON.stringify(detail)]);
  }

  /** After a start (or a crash): re-register spooled inputs, re-queue unsent packages, settle unknown outcomes, finish intake. */
  async recover(): Promise<{ requeued: number; resend: number; held: number; files: number }> {
    const known = new Set((await this.db.query<{ sha256: string }>(`SELECT sha256 FROM con_file`)).rows.map((r) => r.sha256));
    for (const n of readdirSync(this.f.spoolIn)) {
      const m = /^([0-9a-f]{64})\.xml$/.exec(n);
      if (m && !known.has(m[1])) await storeFile(this.db, this.f, readSpool(join(this.f.spoolIn, n)), n, 'spool');
    }
    let requeued = 0;
    let held = 0;
    await this.db.transaction(async (tx) => {
      const never = (await tx.query<{ id: number }>(`UPDATE con_batch SET state = 'dissolved', done_at = now() WHERE state = 'ready' AND attempts = 0 RETURNING id`)).rows.map((r) => r.id);
      if (never.length) requeued = (await tx.query(`UPDATE con_item SET state = 'queued', batch_id = NULL WHERE batch_id = ANY($1::bigint[]) AND state = 'sending'`, [never])).rowCount;
      if (this.cfg.unknownOutcome === 'hold') {
        const unknown = (await tx.query<{ id: number }>(`UPDATE con_batch SET state = 'held', last_error = $1::jsonb WHERE state = 'ready' AND attempts > 0 RETURNING id`, [JSON.stringify(problem(CON.CON_OUTCOME_UNKNOWN))])).rows.map((r) => r.id);
        if (unknown.length) held = (await tx.query(`UPDATE con_item SET state = 'failed', problems = $2::jsonb WHERE batch_id = ANY($1::bigint[]) AND state = 'sending'`, [unknown, JSON.stringify([problem(CON.CON_OUTCOME_UNKNOWN)])])).rowCount;
      }
      // Due now: a restart retries at once.
      await tx.query(`UPDATE con_batch SET next_attempt_at = now() WHERE state = 'ready'`);
    });
    const resend = Number((await this.db.query(`SELECT count(*)::int AS n FROM con_batch WHERE state = 'ready'`)).rows[0].n);
    const pending = (await this.db.query<{ id: number }>(`SELECT id FROM con_file WHERE state = 'received' ORDER BY id`)).rows;
    for (const p of pending) await processFile(this.db, this.cfg, p.id);
    if (requeued || resend || held) this.#emit('recover', 'info', `Khôi phục sau khởi động / recovered: ${requeued} về hàng đợi / requeued, ${resend} gói gửi lại / packages to resend, ${held} chờ người kiểm tra / held`);
    return { requeued, resend, held, files: pending.length };
  }

  /** Form at most one package from queued items. Returns true when one was formed. */
  async formBatch(now = new Date()): Promise<boolean> {
    // Replacements first, one per package, once no earlier version of the same MA_LK is in flight.
    const rep = (
      await this.db.query<ItemRow>(
        `SELECT i.id, i.kind, i.macskcb, i.ma_lk, i.content, i.replaces, i.received_at FROM con_item i
         WHERE i.state = 'queued' AND i.kind = 'dossier' AND i.replaces
           AND NOT EXISTS (SELECT 1 FROM con_item o WHERE o.ma_lk = i.ma_lk AND o.kind = 'dossier' AND o.id < i.id AND o.state IN ('queued', 'sending'))
         ORDER BY i.id LIMIT 1`,
      )
    ).rows;
    if (rep.length) return this.#seal('dossier', rep, rep[0].ma_lk);
    // Check-in (XML0), medical-assessment (XML12) and certificate documents: one signed document per
    // send; a certificate's new version waits until the earlier one of its number is settled.
    const ci = (
      await this.db.query<ItemRow>(
        `SELECT i.id, i.kind, i.macskcb, i.ma_lk, i.content, i.replaces, i.received_at FROM con_item i
         WHERE i.state = 'queued' AND i.kind IN ('checkin', 'gdyk', 'certificate')
           AND NOT (i.kind = 'certificate' AND EXISTS (SELECT 1 FROM con_item o WHERE o.ma_lk = i.ma_lk AND o.kind = 'certificate' AND o.id < i.id AND o.state IN ('queued', 'sending')))
         ORDER BY i.id LIMIT 1`,
      )
    ).rows;
    if (ci.length) return this.#seal(ci[0].kind, ci, ci[0].kind === 'certificate' && ci[0].replaces ? ci[0].ma_lk : undefined);
    const rows = (
      await this.db.query<ItemRow & { size: number }>(
        `SELECT i.id, i.kind, i.macskcb, i.ma_lk, i.content, i.replaces, i.received_at, length(i.content::text) AS size FROM con_item i
         WHERE i.state = 'queued' AND i.kind = 'dossier' AND NOT i.replaces
           AND NOT EXISTS (SELECT 1 FROM con_item o WHERE o.ma_lk = i.ma_lk AND o.kind = 'dossier' AND o.id < i.id AND o.state IN ('queued', 'sending'))
         ORDER BY i.id LIMIT $1`,
        [this.cfg.batch.maxDossiers],
      )
    ).rows;
    if (!rows.length) return false;
    if (this.cfg.batch.lingerMs > 0 && rows.length < this.cfg.batch.maxDossiers && now.getTime() - new Date(rows[0].received_at).getTime() < this.cfg.batch.lingerMs) return false;
    const pick: typeof rows = [];
    let size = 0;
    const seen = new Set<string>();
    for (const r of rows) {
      // base64 inside the envelope grows the tables by 4/3; keep a margin for the envelope.
      const est = Math.ceil((r.size * 4) / 3) + 512;
      if (pick.length && size + est > this.cfg.batch.maxBytes) break;
      if (seen.has(r.ma_lk)) continue;
      seen.add(r.ma_lk);
      pick.push(r);
      size += est;
    }
    return this.#seal('dossier', pick);
  }

  async #seal(kind: ItemKind, items: ItemRow[], replaces?: string): Promise<boolean> {
    const macskcb = items[0].macskcb;
    const unsigned =
      kind === 'checkin'
        ? buildCheckIn(macskcb, items[0].content as Row[])
        : kind === 'gdyk'
          ? buildGdyk(items[0].content as Row[])
          : kind === 'certificate'
            ? buildCertificateDoc((items[0].content as { kind: CertificateKind }).kind, (items[0].content as { row: Record<string, string> }).row)
          : buildPackage({ macskcb, ngayLap: vnDate(), dossiers: items.map((i) => ({ tables: i.content }) as Dossier) });
    let signed: Buffer;
    try {
      signed = await this.signer.sign(unsigned);
    } catch (e) {
      const p = problem(CON.CON_SIGN, 'signer', { detail: String((e as Error).message ?? e).slice(0, 200) });
      await this.db.query(`UPDATE con_item SET state = 'failed', problems = $2::jsonb WHERE id = ANY($1::bigint[]) AND state = 'queued'`, [items.map((i) => i.id), JSON.stringify([p])]);
      this.#emit('sign', 'error', `${p.vi} / ${p.en}`);
      return true;
    }
    const sha = sha256(signed);
    const path = writeDurable(this.f.spoolOut, `${sha}.xml`, signed);
    const ids = items.map((i) => i.id);
    const ok = await this.db.transaction(async (tx) => {
      const b = await tx.query<{ id: number }>(
        // Deterministic signing gives the same bytes for the same items: a dissolved package comes back.
        `INSERT INTO con_batch (kind, sha256, spool_path, replaces, dossiers, bytes, state) VALUES ($1, $2, $3, $4, $5, $6, 'ready')
         ON CONFLICT (sha256) DO UPDATE SET state = 'ready', attempts = 0, next_attempt_at = now(), done_at = NULL WHERE con_batch.state = 'dissolved' RETURNING id`,
        [kind, sha, path, replaces ?? null, items.length, signed.byteLength],
      );
      if (!b.rows[0]) return false;
      const u = await tx.query(`UPDATE con_item SET state = 'sending', batch_id = $2 WHERE id = ANY($1::bigint[]) AND state = 'queued'`, [ids, b.rows[0].id]);
      if (u.rowCount !== ids.length) throw new Error('queue changed while sealing');
      return true;
    }).catch((e: Error) => {
      // An item was superseded meanwhile: form the package again from the queue as it is now.
      if (e.message === 'queue changed while sealing') return true;
      throw e;
    });
    return ok;
  }

  /** Send the next due package. Returns 'sent' | 'idle' | ms until the next one is due. */
  async sendNext(): Promise<'sent' | number> {
    const due = (await this.db.query(`SELECT id, kind, sha256, spool_path, replaces, attempts, EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000 AS wait FROM con_batch WHERE state = 'ready' ORDER BY next_attempt_at, id LIMIT 1`)).rows[0];
    if (!due) return Infinity;
    if (Number(due.wait) > 0) return Math.ceil(Number(due.wait));
    const attempts = due.attempts + 1;
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE con_batch SET attempts = $2, first_sent_at = coalesce(first_sent_at, now()) WHERE id = $1`, [due.id, attempts]);
      await tx.query(`UPDATE con_item SET sent_at = coalesce(sent_at, now()) WHERE batch_id = $1`, [due.id]);
    });
    const bytes = readSpool(due.spool_path);
    const macskcb = this.cfg.macskcb;
    let out: SendOutcome;
    try {
      out = await this.sender.send({ kind: due.kind, bytes, macskcb, replaces: due.replaces ?? undefined });
    } catch (e) {
      out = { kind: 'retry', problem: problem(CON.CON_GATEWAY_DOWN, 'target.url') };
    }
    await this.#record(due.id, attempts, out);
    return 'sent';
  }

  async #record(batchId: number, attempts: number, out: SendOutcome) {
    if (out.kind === 'retry') {
      const wait = backoffMs(attempts, this.cfg.retry.baseMs, this.cfg.retry.maxMs, out.retryAfterMs);
      await this.db.query(`UPDATE con_batch SET next_attempt_at = now() + ($2::double precision * interval '1 millisecond'), last_error = $3::jsonb WHERE id = $1`, [batchId, wait, JSON.stringify(out.problem)]);
      await this.#event('warn', 'send.retry', { attempts, waitMs: wait, code: out.problem.code }, batchId);
      this.#emit('retry', 'warn', `Gói #${batchId}: ${out.problem.vi} — thử lại sau ${(wait / 1000).toFixed(1)} s / ${out.problem.en} — retry in ${(wait / 1000).toFixed(1)} s`);
      return;
    }
    if (out.kind === 'fatal') {
      await this.db.transaction(async (tx) => {
        await tx.query(`UPDATE con_batch SET state = 'failed', last_error = $2::jsonb, done_at = now() WHERE id = $1`, [batchId, JSON.stringify(out.problem)]);
        await tx.query(`UPDATE con_item SET state = 'failed', problems = $2::jsonb WHERE batch_id = $1 AND state = 'sending'`, [batchId, JSON.stringify([out.problem])]);
      });
      await this.#event('error', 'send.failed', { code: out.problem.code }, batchId);
      this.#emit('failed', 'error', `Gói #${batchId}: ${out.problem.vi} / ${out.problem.en}`);
      return;
    }
    let accepted = 0;
    let rejected = 0;
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE con_batch SET state = 'done', receipt = $2::jsonb, receipt_id = $3, done_at = now(), last_error = NULL WHERE id = $1`, [batchId, JSON.stringify(out.raw ?? null), out.receiptId]);
      const items = (await tx.query<{ id: number; ma_lk: string; replaces: boolean; kind: string }>(`SELECT id, ma_lk, replaces, kind FROM con_item WHERE batch_id = $1 AND state = 'sending'`, [batchId])).rows;
      for (const it of items) {
        const d = out.dossiers.find((x) => x.maLk === it.ma_lk);
        const status = d ? d.status : out.status === 'rejected' ? 'rejected' : 'accepted';
        const problems: Problem[] = d ? d.problems : status === 'rejected' ? out.problems : [];
        if (status === 'accepted') {
          accepted++;
          await tx.query(`UPDATE con_item SET state = 'accepted', accepted_at = $2, remote_version = $3, problems = $4::jsonb WHERE id = $1`, [it.id, out.acceptedAt ? new Date(out.acceptedAt) : new Date(), d?.version ?? null, JSON.stringify(problems)]);
          if (it.kind === 'dossier' || it.kind === 'certificate') await tx.query(`UPDATE con_item SET state = 'replaced' WHERE kind = $3 AND ma_lk = $1 AND id < $2 AND state = 'accepted'`, [it.ma_lk, it.id, it.kind]);
        } else {
          rejected++;
          await tx.query(`UPDATE con_item SET state = 'rejected', problems = $2::jsonb WHERE id = $1`, [it.id, JSON.stringify(problems)]);
        }
      }
    });
    await this.#event(rejected ? 'warn' : 'info', 'send.receipt', { receiptId: out.receiptId, status: out.status, accepted, rejected, replay: out.replay }, batchId);
    this.#emit('receipt', rejected ? 'warn' : 'info', `Gói #${batchId}: ${accepted} hồ sơ được tiếp nhận, ${rejected} bị từ chối / ${accepted} accepted, ${rejected} rejected (biên nhận / receipt ${out.receiptId})`);
  }

  /** Do every piece of work that is due; returns ms until something is due (Infinity: nothing). */
  async work(): Promise<number> {
    for (;;) {
      while (await this.formBatch()) {}
      const r = await this.sendNext();
      if (r !== 'sent') {
        if (this.cfg.batch.lingerMs > 0) {
          const q = (await this.db.query(`SELECT min(received_at) AS t FROM con_item WHERE state = 'queued'`)).rows[0]?.t;
          if (q) return Math.min(r, Math.max(10, new Date(q).getTime() + this.cfg.batch.lingerMs - Date.now()));
        }
        return r;
      }
    }
  }
}
