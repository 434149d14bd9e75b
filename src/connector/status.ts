// Status for people and machines: counts per state, what is waiting and why, recent errors
// explained, and today's timeliness (minutes from the end of the visit to acceptance).
import type { Queryable } from '../store/index.ts';
import type { Problem } from '../errors/index.ts';
import { vnDate } from './engine.ts';
import type { Sender } from './sender.ts';
import { ProblemError } from '../errors/index.ts';
import { CON } from './errors.ts';

export interface ConnectorStatus {
  macskcb: string;
  target: string;
  at: string;
  items: Record<'queued' | 'sending' | 'accepted' | 'rejected' | 'failed' | 'replaced' | 'superseded', number>;
  checkins: Record<string, number>;
  /** Medical-assessment documents (XML12) by state. */
  assessments: Record<string, number>;
  /** Death notices and driving-licence health checks by state. */
  certificates: Record<string, number>;
  files: { received: number; processed: number; rejected: number };
  packages: { ready: number; done: number; failed: number; held: number; nextAttemptAt: string | null; lastError: Problem | null };
  today: { date: string; accepted: number; withVisitEnd: number; medianMinutes: number | null; p90Minutes: number | null; maxMinutes: number | null; within24h: number };
  errors: { at: string; maLk: string; state: string; problems: Problem[] }[];
  rejectedFiles: { at: string; name: string; problems: number; dossiers: number }[];
}

const ITEM_STATES = ['queued', 'sending', 'accepted', 'rejected', 'failed', 'replaced', 'superseded'] as const;

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function readStatus(db: Queryable, macskcb: string, target: string): Promise<ConnectorStatus> {
  const items = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as ConnectorStatus['items'];
  const checkins: Record<string, number> = {};
  const assessments: Record<string, number> = {};
  const certificates: Record<string, number> = {};
  for (const r of (await db.query(`SELECT kind, state, count(*)::int AS n FROM con_item GROUP BY kind, state`)).rows) {
    if (r.kind === 'dossier') items[r.state as keyof typeof items] = r.n;
    else if (r.kind === 'gdyk') assessments[r.state] = r.n;
    else if (r.kind === 'certificate') certificates[r.state] = r.n;
    else checkins[r.state] = r.n;
  }
  const files = { received: 0, processed: 0, rejected: 0 };
  for (const r of (await db.query(`SELECT state, count(*)::int AS n FROM con_file GROUP BY state`)).rows) files[r.state as keyof typeof files] = r.n;
  const packages = { ready: 0, done: 0, failed: 0, held: 0, nextAttemptAt: null as string | null, lastError: null as Problem | null };
  for (const r of (await db.query(`SELECT state, count(*)::int AS n FROM con_batch WHERE state <> 'dissolved' GROUP BY state`)).rows) (packages as any)[r.state] = r.n;
  const next = (await db.query(`SELECT next_attempt_at FROM con_batch WHERE state = 'ready' ORDER BY next_attempt_at LIMIT 1`)).rows[0];
  if (next) packages.nextAttemptAt = new Date(next.next_attempt_at).toISOString();
  const err = (await db.query(`SELECT last_error FROM con_batch WHERE state = 'ready' AND last_error IS NOT NULL ORDER BY next_attempt_at LIMIT 1`)).rows[0];
  if (err) packages.lastError = err.last_error;
  // Today in Vietnam time: [00:00+07, 24:00+07).
  const d = vnDate();
  const start = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00+07:00`);
  const end = new Date(start.getTime() + 86400_000);
  const acc = (await db.query(`SELECT visit_end, accepted_at FROM con_item WHERE kind = 'dossier' AND accepted_at >= $1 AND accepted_at < $2 AND state IN ('accepted', 'replaced')`, [start, end])).rows;
  const mins = acc.filter((r) => r.visit_end).map((r) => Math.max(0, (new Date(r.accepted_at).getTime() - new Date(r.visit_end).getTime()) / 60000)).sort((a, b) => a - b);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  const errors = (
    await db.query(`SELECT coalesce(sent_at, received_at) AS at, ma_lk, state, problems FROM con_item WHERE state IN ('rejected', 'failed') ORDER BY id DESC LIMIT 20`)
  ).rows.map((r) => ({ at: new Date(r.at).toISOString(), maLk: r.ma_lk, state: r.state, problems: r.problems ?? [] }));
  const rejectedFiles = (await db.query(`SELECT processed_at, name, report FROM con_file WHERE state = 'rejected' ORDER BY id DESC LIMIT 20`)).rows.map((r) => ({
    at: new Date(r.processed_at).toISOString(),
    name: r.name,
    problems: r.report?.problems?.length ?? 0,
    dossiers: r.report?.rejected?.length ?? 0,
  }));
  return {
    macskcb,
    target,
    at: new Date().toISOString(),
    items,
    checkins,
    assessments,
    certificates,
    files,
    packages,
    today: { date: d, accepted: acc.length, withVisitEnd: mins.length, medianMinutes: round(quantile(mins, 0.5)), p90Minutes: round(quantile(mins, 0.9)), maxMinutes: round(mins.at(-1) ?? null), within24h: mins.filter((m) => m <= 24 * 60).length },
    errors,
    rejectedFiles,
  };
}

/** Human-readable status (Vietnamese first). */
export function formatStatus(s: ConnectorStatus): string {
  const i = s.items;
  const t = s.today;
  const lines = [
    `Connector ${s.macskcb} → ${s.target}   (${s.at})`,
    `Hồ sơ / dossiers: chờ gửi / queued ${i.queued} · đang gửi / sending ${i.sending} · đã tiếp nhận / accepted ${i.accepted} · bị từ chối / rejected ${i.rejected} · lỗi chờ xử lý / failed ${i.failed} · đã thay thế / replaced ${i.replaced}`,
    `Check-in: ${Object.entries(s.checkins).map(([k, v]) => `${k} ${v}`).join(' · ') || '0'}`,
    `Giám định y khoa / medical assessments (XML12): ${Object.entries(s.assessments).map(([k, v]) => `${k} ${v}`).join(' · ') || '0'}`,
    `Giấy báo tử, KSK lái xe / certificates: ${Object.entries(s.certificates).map(([k, v]) => `${k} ${v}`).join(' · ') || '0'}`,
    `Tệp / files: ${s.files.processed} đã xử lý / processed · ${s.files.rejected} có lỗi / rejected · ${s.files.received} đang chờ / waiting`,
    `Gói / packages: ${s.packages.ready} chờ gửi / to send · ${s.packages.done} xong / done · ${s.packages.failed} thất bại / failed · ${s.packages.held} chờ người kiểm tra / held`,
  ];
  if (s.packages.lastError) lines.push(`  Lần gửi trước / last attempt: ${s.packages.lastError.vi} / ${s.packages.lastError.en}; lần tới / next ${s.packages.nextAttemptAt}`);
  lines.push(
    `Hôm nay / today ${t.date}: ${t.accepted} hồ sơ được tiếp nhận / accepted; từ khi ra viện đến khi tiếp nhận / visit end → accepted: trung vị / median ${t.medianMinutes ?? '–'} phút/min, p90 ${t.p90Minutes ?? '–'}, tối đa / max ${t.maxMinutes ?? '–'}; trong 24 giờ / within 24 h ${t.within24h}/${t.withVisitEnd}`,
  );
  if (s.errors.length) {
    lines.push('Lỗi gần đây / recent errors:');
    for (const e of s.errors.slice(0, 10)) lines.push(`  ${e.maLk} [${e.state}] ${e.problems.map((p) => `${p.code}${p.path ? ` (${p.path})` : ''}: ${p.vi}`).join('; ').slice(0, 300)}`);
  }
  if (s.rejectedFiles.length) lines.push(`Tệp lỗi gần đây / recent rejected files: ${s.rejectedFiles.slice(0, 5).map((f) => f.name).join(', ')} (xem thư mục rejected / see the rejected folder)`);
  return lines.join('\n') + '\n';
}

export interface Reconciliation {
  from: string;
  to: string;
  local: { packages: number; accepted: number; rejected: number; replaced: number; pending: number };
  gateway: { sent: number; accepted: number; rejected: number; replaced: number; packages: number };
  differences: { kind: 'missing-at-gateway' | 'unknown-locally' | 'status-differs' | 'pending-locally'; sha256?: string; receiptId?: string; local?: string; gateway?: string; maLk?: string[] }[];
  ok: boolean;
}

/** Compare what the connector sent in [from, to) with the gateway's reconciliation API, by package SHA-256. */
export async function reconcile(db: Queryable, sender: Sender, from: Date, to: Date): Promise<Reconciliation> {
  if (!sender.reconciliation) throw ProblemError.of(CON.CON_RECONCILE, 'target', { detail: 'this target has no reconciliation API (national gateway: use its portal)' });
  let gw: any;
  try {
    gw = await sender.reconciliation(from, to);
  } catch (e) {
    throw ProblemError.of(CON.CON_RECONCILE, 'target', { detail: String((e as Error).message).slice(0, 200) });
  }
  const batches = (
    await db.query(
      `SELECT b.id, b.sha256, b.receipt_id, b.receipt, b.state, coalesce((b.receipt->>'receivedAt')::timestamptz, b.done_at) AS at,
              array_agg(i.ma_lk ORDER BY i.id) AS ma_lks
       FROM con_batch b JOIN con_item i ON i.batch_id = b.id
       WHERE b.state = 'done' GROUP BY b.id`,
    )
  ).rows.filter((b) => new Date(b.at) >= from && new Date(b.at) < to);
  const pending = (await db.query(`SELECT ma_lk, state FROM con_item WHERE state IN ('queued', 'sending') AND received_at < $1`, [to])).rows;
  const remote = new Map<string, any>((gw.packages ?? []).map((p: any) => [String(p.sha256), p]));
  const diffs: Reconciliation['differences'] = [];
  const localStatus = (b: any) => String(b.receipt?.status ?? 'accepted');
  for (const b of batches) {
    const r = remote.get(b.sha256);
    if (!r) diffs.push({ kind: 'missing-at-gateway', sha256: b.sha256, receiptId: b.receipt_id, local: localStatus(b), maLk: b.ma_lks });
    else if (r.status !== localStatus(b)) diffs.push({ kind: 'status-differs', sha256: b.sha256, receiptId: b.receipt_id, local: localStatus(b), gateway: r.status, maLk: b.ma_lks });
    remote.delete(b.sha256);
  }
  for (const [sha, r] of remote) diffs.push({ kind: 'unknown-locally', sha256: sha, receiptId: r.receiptId, gateway: r.status });
  if (pending.length) diffs.push({ kind: 'pending-locally', maLk: pending.map((p) => p.ma_lk), local: 'queued/sending' });
  const items = (await db.query(`SELECT i.state, i.replaces FROM con_item i JOIN con_batch b ON b.id = i.batch_id WHERE b.id = ANY($1::bigint[]) AND i.kind = 'dossier'`, [batches.map((b) => b.id)])).rows;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    local: {
      packages: batches.length,
      accepted: items.filter((i) => i.state === 'accepted' || i.state === 'replaced').length,
      rejected: items.filter((i) => i.state === 'rejected').length,
      replaced: items.filter((i) => i.replaces && (i.state === 'accepted' || i.state === 'replaced')).length,
      pending: pending.length,
    },
    gateway: { sent: gw.sent ?? 0, accepted: gw.accepted ?? 0, rejected: gw.rejected ?? 0, replaced: gw.replaced ?? 0, packages: (gw.packages ?? []).length },
    differences: diffs,
    ok: diffs.length === 0,
  };
}

export function formatReconciliation(r: Reconciliation): string {
  const lines = [
    `Đối soát / reconciliation ${r.from} → ${r.to}`,
    `Connector: ${r.local.packages} gói / packages, ${r.local.accepted} hồ sơ tiếp nhận / dossiers accepted, ${r.local.rejected} bị từ chối / rejected, ${r.local.replaced} thay thế / replacements, ${r.local.pending} chưa gửi xong / still pending`,
    `Cổng / gateway: ${r.gateway.packages} gói / packages (${r.gateway.accepted} tiếp nhận / accepted, ${r.gateway.rejected} từ chối / rejected), ${r.gateway.replaced} thay thế / replacements`,
  ];
  if (r.ok) lines.push('KHỚP / MATCH: không có chênh lệch / no differences');
  else {
    lines.push(`CHÊNH LỆCH / DIFFERENCES: ${r.differences.length}`);
    const label = { 'missing-at-gateway': 'cổng không có / missing at the gateway', 'unknown-locally': 'connector không biết / unknown locally', 'status-differs': 'trạng thái khác / status differs', 'pending-locally': 'chưa gửi xong / pending locally' };
    for (const d of r.differences) lines.push(`  - ${label[d.kind]}: ${d.sha256 ? d.sha256.slice(0, 16) + '…' : ''} ${d.local ? `connector=${d.local}` : ''} ${d.gateway ? `gateway=${d.gateway}` : ''} ${d.maLk ? `MA_LK ${d.maLk.slice(0, 10).join(', ')}${d.maLk.length > 10 ? ' …' : ''}` : ''}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}
