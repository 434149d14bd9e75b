// Health book: acceptance → publication latency at 1,000 packages/s offered, and the book read
// p99 for a citizen with 500 entries among 1,000,000 stored — each beside a bare SQL cost measured
// in the same run (a plain dossier-row insert; a primary-key read). PGlite by default;
// BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL.
import { join } from 'node:path';
import { openDb, migrate, startWorker, type Db } from '../../src/store/index.ts';
import { handlers, getBook } from '../../src/healthbook/index.ts';
import { acceptDossiers, fullDossier, person } from '../../src/healthbook/testing.ts';
import { percentile, fig, type Section, type Figure } from '../harness.ts';

const dirs = [join(import.meta.dirname, '../../src/healthbook/migrations'), join(import.meta.dirname, '../../src/access/migrations')];

async function open(): Promise<Db> {
  const url = process.env.BENCH_DATABASE_URL;
  const db = url ? await openDb({ url, schema: `bench_book_${Date.now().toString(36)}`, max: 8 }) : await openDb({});
  await migrate(db, dirs);
  return db;
}

async function drop(db: Db) {
  if (db.kind === 'postgres') {
    const s = (await db.query(`SELECT current_schema() AS s`)).rows[0].s as string;
    if (s.startsWith('bench_book_')) await db.exec(`DROP SCHEMA ${s} CASCADE`);
  }
  await db.close();
}

/** A typical outpatient dossier: summary, a few drugs, services and results (~12 entries). */
function typical(n: number) {
  const t = fullDossier(person(n), { maLk: `LK${n}` });
  return { XML1: t.XML1, XML2: t.XML2, XML3: t.XML3, XML4: t.XML4, XML14: t.XML14 };
}

/** Largest group one acceptance transaction commits (BENCH_BOOK_GROUP to try others). */
const GROUP = Number(process.env.BENCH_BOOK_GROUP ?? 50);

async function acceptance(ctx: Parameters<Section['run']>[0]): Promise<Figure[]> {
  const db = await open();
  try {
    const total = Math.max(100, Math.round(5000 * ctx.scale));
    const ratePerS = 1000;
    // bare: one plain insert of a dossier row of the same size, sequential
    const bareLat: number[] = [];
    const sample = JSON.stringify(typical(0));
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await db.query(`INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt) VALUES ($1, '79001', $2, 1, 'accepted', '{}')`, [`bare${i}`, Buffer.from('x')]);
      await db.query(`INSERT INTO dossier (package_id, macskcb, ma_lk, personal_id, tables) VALUES (currval('package_archive_id_seq'), '79001', $1, NULL, $2::jsonb)`, [`BARE${i}`, sample]);
      bareLat.push(performance.now() - t0);
    }
    await db.query(`DELETE FROM dossier WHERE ma_lk LIKE 'BARE%'`);
    // One worker on PGlite (one session); four side by side on PostgreSQL, as gateway processes would run.
    const workers = Array.from({ length: db.kind === 'postgres' ? Number(process.env.BENCH_BOOK_WORKERS ?? 4) : 1 }, () => startWorker(db, handlers, { intervalMs: 5, batch: 50 }));
    const worker = { poke: () => workers.forEach((w) => w.poke()), stop: () => Promise.all(workers.map((w) => w.stop())) };
    // Arrivals on the 1,000/s schedule; acceptors commit whatever has arrived together in one
    // transaction (group commit, as a gateway under load would), one on PGlite, four on PostgreSQL.
    const arrivals: ReturnType<typeof typical>[] = [];
    let generating = true;
    let accepted = 0;
    const acceptor = async () => {
      while (generating || arrivals.length) {
        if (!arrivals.length) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        const group = arrivals.splice(0, GROUP);
        await acceptDossiers(db, group);
        accepted += group.length;
        worker.poke();
      }
    };
    const acceptors = Array.from({ length: db.kind === 'postgres' ? 4 : 1 }, acceptor);
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / ratePerS;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      arrivals.push(typical(1000 + i));
    }
    generating = false;
    const offeredEnd = performance.now();
    await Promise.all(acceptors);
    const acceptedS = (performance.now() - start) / 1000;
    ctx.log(`${accepted} accepted in ${acceptedS.toFixed(1)} s (${(accepted / acceptedS).toFixed(0)}/s)`);
    const offeredS = (offeredEnd - start) / 1000;
    for (let i = 0; i < 600; i++) {
      const left = (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE consumer = 'healthbook.project'`)).rows[0].n;
      if (!left) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await worker.stop();
    const lat = (await db.query<{ ms: number }>(`SELECT min(latency_ms) AS ms FROM book_feed f JOIN book_entry e ON e.id = f.entry_id WHERE f.change = 'new' GROUP BY e.dossier_id`)).rows.map((r) => Number(r.ms));
    const bare = percentile(bareLat, 50);
    ctx.log(`${lat.length}/${total} dossiers published; offered ${(total / offeredS).toFixed(0)} packages/s for ${offeredS.toFixed(1)} s on ${db.kind}`);
    return [
      fig('offered rate achieved', total / offeredS, 'packages/s', undefined, `1000/s offered; arrivals committed in groups (group commit); ${db.kind}`),
      fig('accepted rate', accepted / acceptedS, 'packages/s', undefined, `${db.kind}; first arrival to last commit`),
      fig('acceptance → published p50', percentile(lat, 50), 'ms', { name: 'bare dossier insert p50 (ms)', value: bare }),
      fig('acceptance → published p99', percentile(lat, 99), 'ms', { name: 'bare dossier insert p50 (ms)', value: bare }, 'goal p99 < 1000 ms; 24 h legal limit'),
    ];
  } finally {
    await drop(db);
  }
}

async function bookRead(ctx: Parameters<Section['run']>[0]): Promise<Figure[]> {
  const db = await open();
  try {
    const total = Math.max(10_000, Math.round(1_000_000 * ctx.scale));
    const target = '079300000001';
    const t0 = performance.now();
    // Bulk path: 1 target citizen with 500 entries; the rest spread over other citizens (~20 each).
    await db.query(`INSERT INTO package_archive (sha256, macskcb, bytes, size, status, receipt) VALUES ('bulk', '79001', '\\x00', 1, 'accepted', '{}')`);
    const chunk = 100_000;
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await db.query(
        `INSERT INTO book_entry (personal_id, macskcb, ma_lk, kind, source_table, seq, occurred_at, title, data, accepted_at)
         SELECT CASE WHEN g <= 500 THEN $3 ELSE lpad((79400000000 + g / 20)::text, 12, '0') END, '790' || lpad((g % 50)::text, 2, '0'), 'LK' || (g / 12),
                (ARRAY['visit','diagnosis','medication','service','lab_result','imaging_result'])[1 + g % 6], 'XML4', g % 12,
                timestamptz '2024-01-01' + (g % 900) * interval '1 day', 'Số lượng bạch cầu: 7.' || (g % 10) || ' G/L',
                jsonb_build_object('MA_LK', 'LK' || (g / 12), 'TEN_CHI_SO', 'Số lượng bạch cầu', 'GIA_TRI', '7.' || (g % 10), 'DON_VI_DO', 'G/L', 'NGAY_KQ', '202401011000', 'KET_LUAN', 'Bình thường'),
                now()
         FROM generate_series($1::int, $2::int) g`,
        [from, to, target],
      );
    }
    await db.exec(`ANALYZE book_entry`);
    ctx.log(`${total} entries stored in ${((performance.now() - t0) / 1000).toFixed(1)} s (${db.kind})`);
    const citizen = { role: 'citizen', sub: target };
    const reads = Math.max(50, Math.round(300 * Math.min(1, ctx.scale * 4)));
    for (let i = 0; i < 10; i++) await getBook(db, citizen, target, { limit: 1000 });
    const lat: number[] = [];
    let n = 0;
    for (let i = 0; i < reads; i++) {
      const s = performance.now();
      const b = await getBook(db, citizen, target, { limit: 1000 });
      lat.push(performance.now() - s);
      n = b.entries.length;
    }
    const bare: number[] = [];
    for (let i = 0; i < reads; i++) {
      const id = 1 + Math.floor(Math.random() * total);
      const s = performance.now();
      await db.query(`SELECT * FROM book_entry WHERE id = $1`, [id]);
      bare.push(performance.now() - s);
    }
    if (n !== 500) throw new Error(`expected 500 entries, read ${n}`);
    const bareP99 = percentile(bare, 99);
    return [
      fig('book read p50 (500 entries, audited)', percentile(lat, 50), 'ms', { name: 'primary-key read p50 (ms)', value: percentile(bare, 50) }, `${total} entries stored`),
      fig('book read p99 (500 entries, audited)', percentile(lat, 99), 'ms', { name: 'primary-key read p99 (ms)', value: bareP99 }, 'goal < 50 ms'),
    ];
  } finally {
    await drop(db);
  }
}

const section: Section = {
  name: 'book',
  async run(ctx) {
    return [...(await acceptance(ctx)), ...(await bookRead(ctx))];
  },
};
export default section;
