// The bulk load path for the scale benchmarks: dossier rows generated directly (no XML, no
// signature) and written in large batches with INSERT … SELECT FROM unnest(…), which runs the same
// on PGlite and PostgreSQL. Each batch hangs off one synthetic package_archive row (the dossier
// table needs a package). Deterministic from the seed.
import type { Db } from '../store/index.ts';
import { Rng, vnDateTime, type Province } from './generator.ts';
import { ICD10 } from './data.ts';

export interface BulkOptions {
  /** Number of dossier rows to write. */
  count: number;
  seed?: number;
  /** Rows per INSERT (default 5000). */
  batchSize?: number;
  /** Distinct citizens (default count / 20, at least 10). */
  citizens?: number;
  /** accepted_at spread over this many days before `until` (default 365). */
  days?: number;
  until?: Date;
  /** Prefix of MA_LK values, so several loads do not collide (default 'B'). */
  prefix?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface BulkResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const KINDS = ['01', '01', '01', '01', '02', '03', '03', '04'] as const;

/** Write `count` synthetic accepted dossiers of the province's facilities. */
export async function bulkLoadDossiers(db: Db, province: Province, o: BulkOptions): Promise<BulkResult> {
  const r = new Rng((o.seed ?? province.seed) * 31 + 5);
  const batch = Math.max(1, o.batchSize ?? 5000);
  const nCit = Math.max(10, o.citizens ?? Math.floor(o.count / 20));
  const until = (o.until ?? new Date()).getTime();
  const spanMs = (o.days ?? 365) * 86_400_000;
  const prefix = o.prefix ?? 'B';
  const facs = province.facilities.map((f) => f.macskcb);
  const provinceDigits = `0${province.code.padStart(2, '0')}`;
  // Citizen identities derived from their index: fast and stable.
  const pid = (i: number) => `${provinceDigits}${i % 2}${String(40 + (i % 60)).padStart(2, '0')}${String(i % 1_000_000).padStart(6, '0')}`;
  const card = (i: number) => `GD4${province.code}${String(i).padStart(10, '0')}`;
  const t0 = performance.now();
  let done = 0;
  const startedAt = new Date();
  while (done < o.count) {
    const n = Math.min(batch, o.count - done);
    const cols: string[][] = [[], [], [], [], [], [], [], [], [], []];
    for (let k = 0; k < n; k++) {
      const i = done + k;
      const mac = facs[i % facs.length];
      const c = Math.floor(r.next() * nCit);
      const acc = until - Math.floor(r.next() * spanMs);
      const kind = KINDS[i % KINDS.length];
      const end = acc - Math.floor(r.next() * 6) * 3600_000;
      const start = kind === '03' ? end - r.int(1, 6) * 86_400_000 : end - 3600_000;
      const icd = ICD10[i % (ICD10.length - 1)];
      const total = 38700 + r.int(0, 40) * 1000;
      const maLk = `${prefix}${mac}${String(i).padStart(10, '0')}`;
      const transfer = i % 41 === 0;
      const x1 = `{"MA_LK":"${maLk}","SO_CCCD":"${pid(c)}","MA_THE_BHYT":"${card(c)}","MA_CSKCB":"${mac}","MA_LOAI_KCB":"${kind}","NGAY_VAO":"${vnDateTime(new Date(start))}","NGAY_RA":"${vnDateTime(new Date(end))}","MA_BENH_CHINH":"${icd.code}","CHAN_DOAN_RV":"${icd.name}","MA_LOAI_RV":"${transfer ? '2' : '1'}","T_TONGCHI_BV":"${total}","T_BHTT":"${Math.round(total * 0.8)}"}`;
      const lab = i % 5 === 0 ? `,"XML3":[{"MA_LK":"${maLk}","STT":"1","MA_NHOM":"1","MA_DICH_VU":"23.0075.1494"}],"XML4":[{"MA_LK":"${maLk}","STT":"1","MA_DICH_VU":"23.0075.1494","TEN_CHI_SO":"Glucose","GIA_TRI":"5.6"}]` : '';
      const ref = transfer && i % 2 === 0 ? `,"XML13":[{"MA_LK":"${maLk}","MA_CSKCB_DEN":"${facs[0]}","MA_LOAI_RV":"2"}]` : '';
      cols[0].push(mac);
      cols[1].push(maLk);
      cols[2].push(pid(c));
      cols[3].push(card(c));
      cols[4].push(kind);
      cols[5].push(new Date(start).toISOString());
      cols[6].push(new Date(end).toISOString());
      cols[7].push(new Date(acc).toISOString());
      cols[8].push(`{"XML1":[${x1}]${lab}${ref}}`);
      cols[9].push('');
    }
    await db.transaction(async (tx) => {
      const pk = await tx.query<{ id: string }>(
        `INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt, received_at) VALUES ($1, $2, $3, 0, 'accepted', '{"bulk":true}'::jsonb, $4) RETURNING id`,
        [`bulk-${prefix}-${startedAt.getTime()}-${done}`, facs[0], Buffer.alloc(0), startedAt.toISOString()],
      );
      await tx.query(
        `INSERT INTO dossier (package_id, macskcb, ma_lk, personal_id, bhyt_card, ma_loai_kcb, visit_start, visit_end, accepted_at, tables)
         SELECT $1::bigint, m, l, p, b, k, vs::timestamptz, ve::timestamptz, a::timestamptz, t::jsonb
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS u(m, l, p, b, k, vs, ve, a, t)`,
        [pk.rows[0].id, ...cols.slice(0, 9)],
      );
    });
    done += n;
    o.onProgress?.(done, o.count);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rows: done, seconds, rowsPerSecond: done / seconds };
}
