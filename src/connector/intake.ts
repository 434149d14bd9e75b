// Intake: store an input durably (spool + database row) before it is acknowledged, then split it
// into queue items — one per dossier version, one per check-in (XML0) or medical-assessment (XML12)
// document — after validating it
// with the gateway's own rules (src/standard). Invalid content gets a readable report.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { validateBytes, parseCheckIn, parseGdyk, parseCertificateDoc, validateCertificateRow, certificateKindByRoot, CERTIFICATES, validateRows, parseDateTime, maLkOf, type Dossier, type Row } from '../standard/index.ts';
import { problem, isProblemError, formatProblem, type Problem } from '../errors/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { CON } from './errors.ts';
import { writeDurableGroup, readSpool, freeName, type Folders } from './spool.ts';
import type { ConnectorConfig } from './config.ts';

export interface IntakeReport {
  fileId: number;
  sha256: string;
  name: string;
  /** processed: every dossier queued (or already known); rejected: something could not be queued. */
  state: 'processed' | 'rejected';
  kind: 'package' | 'checkin' | 'gdyk' | 'certificate' | 'unknown';
  queued: { itemId: number; maLk: string; replaces: boolean }[];
  duplicates: string[];
  rejected: { maLk: string; problems: Problem[] }[];
  problems: Problem[];
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function sniff(bytes: Uint8Array): IntakeReport['kind'] {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const m = /<([A-Za-z_][\w.-]*)[\s>/]/.exec(head.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, ''));
  if (m?.[1] === 'GIAMDINHHS') return 'package';
  if (m?.[1] === 'CHI_TIEU_TRANG_THAI_KCB') return 'checkin';
  if (m?.[1] === 'CHI_TIEU_GIAM_DINH_YKHOA') return 'gdyk';
  if (m?.[1] && certificateKindByRoot(m[1])) return 'certificate';
  return 'unknown';
}

const safeName = (n: string) => basename(n).replace(/[^\w.\-]+/g, '_').slice(0, 120) || 'file.xml';

type StoreReq = { bytes: Uint8Array; sha: string; name: string; source: 'folder' | 'http' | 'spool' | 'resend'; replace: boolean; resolve: (r: { fileId: number; sha256: string; isNew: boolean }) => void; reject: (e: unknown) => void };
type Group = { pending: StoreReq[]; running: boolean };
const groups = new WeakMap<Db, Map<string, Group>>();

async function flushGroup(db: Db, dir: string, g: Group): Promise<void> {
  g.running = true;
  try {
    while (g.pending.length) {
      const reqs = g.pending.splice(0, g.pending.length);
      try {
        // One fsync per file, one folder fsync and one transaction for everything that arrived together.
        const paths = writeDurableGroup(dir, reqs.map((r) => ({ name: `${r.sha}.xml`, bytes: r.bytes })));
        const out = await db.transaction(async (tx) => {
          const res: { fileId: number; isNew: boolean }[] = [];
          for (let i = 0; i < reqs.length; i++) {
            const r = reqs[i];
            const ins = await tx.query<{ id: number }>(
              `INSERT INTO con_file (sha256, name, source, spool_path, replace) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING RETURNING id`,
              [r.sha, safeName(r.name), r.source, paths[i], r.replace],
            );
            if (ins.rows[0]) res.push({ fileId: ins.rows[0].id, isNew: true });
            else res.push({ fileId: (await tx.query<{ id: number }>(`SELECT id FROM con_file WHERE sha256 = $1`, [r.sha])).rows[0].id, isNew: false });
          }
          return res;
        });
        // Acknowledged only now: the group's files and rows are stored.
        reqs.forEach((r, i) => r.resolve({ fileId: out[i].fileId, sha256: r.sha, isNew: out[i].isNew }));
      } catch (e) {
        for (const r of reqs) r.reject(e);
      }
    }
  } finally {
    g.running = false;
  }
}

/**
 * Store the bytes durably (fsynced spool file, then a database row). Same bytes again → the same file id.
 * Files arriving together are stored as one group (group commit); each call resolves only after its group is stored.
 */
export function storeFile(db: Db, f: Folders, bytes: Uint8Array, name: string, source: 'folder' | 'http' | 'spool' | 'resend', replace = false): Promise<{ fileId: number; sha256: string; isNew: boolean }> {
  let byDir = groups.get(db);
  if (!byDir) groups.set(db, (byDir = new Map()));
  let g = byDir.get(f.spoolIn);
  if (!g) byDir.set(f.spoolIn, (g = { pending: [], running: false }));
  const group = g;
  return new Promise((resolve, reject) => {
    group.pending.push({ bytes, sha: sha256(bytes), name, source, replace, resolve, reject });
    if (group.running) return; // the running flush takes it in its next round
    group.running = true;
    setImmediate(() => void flushGroup(db, f.spoolIn, group));
  });
}

function errorsOf(ps: Problem[]): Problem[] {
  return ps.filter((p) => p.severity === 'error');
}

function visitEnd(d: Dossier): Date | null {
  const t = d.tables.XML1?.[0]?.NGAY_RA;
  if (!t) return null;
  try {
    return parseDateTime(t);
  } catch {
    return null;
  }
}

async function insertItem(tx: Queryable, fileId: number, kind: ItemKind, macskcb: string, maLk: string, content: unknown, end: Date | null, forceReplace: boolean) {
  const json = JSON.stringify(content);
  const csha = sha256(json);
  const prev = (await tx.query<{ id: number; state: string; content_sha256: string; local_version: number }>(`SELECT id, state, content_sha256, local_version FROM con_item WHERE kind = $1 AND ma_lk = $2 ORDER BY id`, [kind, maLk])).rows;
  if (prev.some((p) => p.content_sha256 === csha)) return { duplicate: true as const };
  let replaces = false;
  if (kind === 'dossier' || kind === 'certificate') {
    // A new version of a dossier (or certificate number) the gateway has (or may have): a replacement, linked to it.
    replaces = forceReplace || prev.some((p) => p.state === 'accepted' || p.state === 'sending');
    const waiting = prev.filter((p) => p.state === 'queued').map((p) => p.id);
    if (waiting.length) {
      // Never sent: the newer version takes its place.
      await tx.query(`UPDATE con_item SET state = 'superseded' WHERE id = ANY($1::bigint[]) AND state = 'queued'`, [waiting]);
      if (!prev.some((p) => p.state === 'accepted' || p.state === 'sending')) replaces = forceReplace;
    }
  }
  const version = (prev.at(-1)?.local_version ?? 0) + 1;
  const r = await tx.query<{ id: number }>(
    `INSERT INTO con_item (file_id, kind, macskcb, ma_lk, content_sha256, content, local_version, replaces, state, visit_end)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, 'queued', $9) RETURNING id`,
    [fileId, kind, macskcb, maLk, csha, json, version, replaces, end],
  );
  await tx.query(`INSERT INTO con_event (level, kind, item_id, detail) VALUES ('info', 'queued', $1, $2::jsonb)`, [r.rows[0].id, JSON.stringify({ version, replaces })]);
  return { duplicate: false as const, itemId: r.rows[0].id, replaces };
}

/** Validate and split a stored file into queue items (idempotent: a processed file returns its report). */
export async function processFile(db: Db, cfg: ConnectorConfig, fileId: number): Promise<IntakeReport> {
  const row = (await db.query(`SELECT id, sha256, name, spool_path, state, report, replace FROM con_file WHERE id = $1`, [fileId])).rows[0];
  if (row.state !== 'received' && row.report) return row.report as IntakeReport;
  const bytes = readSpool(row.spool_path);
  const report: IntakeReport = { fileId, sha256: row.sha256, name: row.name, state: 'processed', kind: sniff(bytes), queued: [], duplicates: [], rejected: [], problems: [] };
  const work: Work[] = [];
  if (bytes.byteLength > cfg.maxFileBytes) {
    report.problems.push(problem(CON.CON_FILE_TOO_LARGE, '', { limit: cfg.maxFileBytes }));
  } else if (report.kind === 'package') {
    const v = validateBytes(bytes);
    const pkgErrors = errorsOf(v.problems);
    if (!v.package || pkgErrors.length) {
      report.problems.push(...v.problems);
    } else if (v.package.macskcb !== cfg.macskcb) {
      report.problems.push(problem(CON.CON_FACILITY, 'GIAMDINHHS.THONGTINDONVI.MACSKCB', { expected: cfg.macskcb, found: v.package.macskcb.slice(0, 10) }));
    } else {
      v.package.dossiers.forEach((d, i) => {
        const res = v.dossiers.find((x) => x.index === i);
        const maLk = maLkOf(d);
        if (res && !res.valid) report.rejected.push({ maLk, problems: errorsOf(res.problems) });
        else work.push({ kind: 'dossier', maLk, content: d.tables, end: visitEnd(d), macskcb: v.package!.macskcb });
      });
    }
  } else if (report.kind === 'checkin') {
    try {
      const c = parseCheckIn(bytes);
      const ps = [...c.problems, ...validateRows('XML0', c.rows)];
      if (errorsOf(ps).length) report.rejected.push({ maLk: c.rows[0]?.MA_LK ?? '', problems: errorsOf(ps) });
      else if (c.macskcb !== cfg.macskcb) report.problems.push(problem(CON.CON_FACILITY, 'XML0.MA_CSKCB', { expected: cfg.macskcb, found: c.macskcb.slice(0, 10) }));
      else if (!c.rows.length) report.problems.push(problem(CON.CON_FILE_KIND, ''));
      else work.push({ kind: 'checkin', maLk: c.rows.map((r: Row) => r.MA_LK).join(',').slice(0, 400), content: c.rows, end: null, macskcb: c.macskcb });
    } catch (e) {
      if (!isProblemError(e)) throw e;
      report.problems.push(...e.problems);
    }
  } else if (report.kind === 'gdyk') {
    try {
      // XML12 carries no facility code: the connector's own facility sends it (the gateway checks the
      // signing certificate against that facility). Identified by its record numbers (SO_BIEN_BAN).
      const g = parseGdyk(bytes);
      const ps = [...g.problems, ...validateRows('XML12', g.rows)];
      const key = g.rows.map((r: Row) => r.SO_BIEN_BAN ?? '').join(',').slice(0, 400);
      if (errorsOf(ps).length) report.rejected.push({ maLk: key, problems: errorsOf(ps) });
      else if (!g.rows.length) report.problems.push(problem(CON.CON_FILE_KIND, ''));
      else work.push({ kind: 'gdyk', maLk: key, content: g.rows, end: null, macskcb: cfg.macskcb });
    } catch (e) {
      if (!isProblemError(e)) throw e;
      report.problems.push(...e.problems);
    }
  } else if (report.kind === 'certificate') {
    try {
      // A death notice or driving-licence health check: one document, keyed by kind and number.
      const c = parseCertificateDoc(bytes, { maxBytes: cfg.maxFileBytes });
      const ps = [...c.problems, ...validateCertificateRow(c.kind, c.row)];
      const key = `${c.kind}:${c.row[CERTIFICATES[c.kind].numberField] ?? ''}`.slice(0, 400);
      if (errorsOf(ps).length) report.rejected.push({ maLk: key, problems: errorsOf(ps) });
      else if ((c.row.MA_CSKCB ?? '').toUpperCase() !== cfg.macskcb.toUpperCase()) report.problems.push(problem(CON.CON_FACILITY, `${c.kind}.MA_CSKCB`, { expected: cfg.macskcb, found: (c.row.MA_CSKCB ?? '').slice(0, 10) }));
      else work.push({ kind: 'certificate', maLk: key, content: { kind: c.kind, row: c.row }, end: null, macskcb: cfg.macskcb });
    } catch (e) {
      if (!isProblemError(e)) throw e;
      report.problems.push(...e.problems);
    }
  } else {
    report.problems.push(problem(CON.CON_FILE_KIND, ''));
  }
  const mine = await commitGrouped(db, { fileId, name: row.name, replace: row.replace, report, work });
  // Processed here: the report as stored; processed meanwhile by another caller: theirs.
  if (mine) return JSON.parse(JSON.stringify(report)) as IntakeReport;
  return (await db.query(`SELECT report FROM con_file WHERE id = $1`, [fileId])).rows[0].report as IntakeReport;
}

export type ItemKind = 'dossier' | 'checkin' | 'gdyk' | 'certificate';
type Work = { kind: ItemKind; maLk: string; content: unknown; end: Date | null; macskcb: string };
type Commit = { fileId: number; name: string; replace: boolean; report: IntakeReport; work: Work[] };

async function commitOne(tx: Queryable, c: Commit): Promise<boolean> {
  const { fileId, report } = c;
  const again = (await tx.query(`SELECT state, report FROM con_file WHERE id = $1 FOR UPDATE`, [fileId])).rows[0];
  if (again.state !== 'received') return false;
  for (const w of c.work) {
    const r = await insertItem(tx, fileId, w.kind, w.macskcb, w.maLk, w.content, w.end, c.replace);
    if (r.duplicate) report.duplicates.push(w.maLk);
    else report.queued.push({ itemId: r.itemId, maLk: w.maLk, replaces: r.replaces });
  }
  if (report.problems.length || report.rejected.length) report.state = 'rejected';
  await tx.query(`UPDATE con_file SET state = $2, report = $3::jsonb, processed_at = now() WHERE id = $1`, [fileId, report.state, JSON.stringify(report)]);
  if (report.state === 'rejected') await tx.query(`INSERT INTO con_event (level, kind, detail) VALUES ('warn', 'file.rejected', $1::jsonb)`, [JSON.stringify({ fileId, name: c.name, problems: report.problems.length, dossiers: report.rejected.length })]);
  return true;
}

const fresh = (r: IntakeReport) => ({ queued: [...r.queued], duplicates: [...r.duplicates], state: r.state });
type CommitReq = { c: Commit; resolve: (v: boolean) => void; reject: (e: unknown) => void };
const commitGroups = new WeakMap<Db, { pending: CommitReq[]; running: boolean }>();

/** Queue items of files validated together go in one transaction (group commit); alone if the group fails. */
function commitGrouped(db: Db, c: Commit): Promise<boolean> {
  let g = commitGroups.get(db);
  if (!g) commitGroups.set(db, (g = { pending: [], running: false }));
  const group = g;
  return new Promise((resolve, reject) => {
    group.pending.push({ c, resolve, reject });
    if (group.running) return;
    group.running = true;
    setImmediate(async () => {
      try {
        while (group.pending.length) {
          const reqs = group.pending.splice(0, group.pending.length);
          const before = reqs.map((r) => fresh(r.c.report));
          try {
            const out = await db.transaction(async (tx) => {
              const res: boolean[] = [];
              for (const r of reqs) res.push(await commitOne(tx, r.c));
              return res;
            });
            reqs.forEach((r, i) => r.resolve(out[i]));
          } catch {
            // One file's failure must not fail the others: each on its own, from its state before.
            for (let i = 0; i < reqs.length; i++) {
              const r = reqs[i];
              Object.assign(r.c.report, before[i], { queued: [...before[i].queued], duplicates: [...before[i].duplicates] });
              try {
                r.resolve(await db.transaction((tx) => commitOne(tx, r.c)));
              } catch (e) {
                r.reject(e);
              }
            }
          }
        }
      } finally {
        group.running = false;
      }
    });
  });
}

/** A readable report (Vietnamese first, English beside it). Never contains patient names. */
export function formatReport(r: IntakeReport): string {
  const lines = [
    `Tệp / file: ${r.name}  (SHA-256 ${r.sha256})`,
    r.state === 'processed' ? 'KẾT QUẢ / RESULT: đã nhận, đưa vào hàng đợi gửi / accepted into the send queue' : 'KẾT QUẢ / RESULT: CÓ LỖI — không gửi phần bị lỗi / HAS ERRORS — the invalid part is not sent',
    `Đã xếp hàng gửi / queued: ${r.queued.length}   Trùng (đã nhận trước) / duplicates: ${r.duplicates.length}   Hồ sơ lỗi / rejected dossiers: ${r.rejected.length}`,
  ];
  if (r.problems.length) {
    lines.push('', 'Lỗi của cả tệp / problems with the whole file:');
    for (const p of r.problems) lines.push(`  - ${formatProblem(p)}`);
  }
  for (const d of r.rejected) {
    lines.push('', `Hồ sơ / dossier MA_LK=${d.maLk || '(trống / empty)'}:`);
    for (const p of d.problems) lines.push(`  - ${formatProblem(p)}`);
  }
  if (r.queued.length) lines.push('', `Đã xếp hàng / queued MA_LK: ${r.queued.map((q) => q.maLk + (q.replaces ? ' (thay thế / replacement)' : '')).join(', ')}`);
  lines.push('', 'Cách xử lý / what to do: sửa dữ liệu trong HIS và xuất lại tệp; hồ sơ đã gửi sẽ được gửi dưới dạng thay thế. / Fix the data in the HIS and export again; dossiers already sent go as replacements.');
  return lines.join('\n') + '\n';
}

/** Put a copy of a rejected input into the rejected folder with its report beside it. Returns the report path. */
export function writeRejected(f: Folders, r: IntakeReport, original?: string): string {
  const name = original ? basename(original) : freeName(f.rejected, r.name);
  const reportPath = join(f.rejected, `${name}.loi.txt`);
  writeFileSync(reportPath, formatReport(r));
  writeFileSync(join(f.rejected, `${name}.loi.json`), JSON.stringify(r, null, 2));
  return reportPath;
}
