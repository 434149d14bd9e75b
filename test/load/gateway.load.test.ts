// Load and fault test: sustained offered load on two gateway processes sharing one PostgreSQL;
// kill -9 of one gateway and a dropped database connection (pg_terminate_backend) in the middle;
// every package that got an "accepted" receipt is stored exactly once, nothing is duplicated, and
// the health book projects every accepted dossier once. Figures go to bench/results/load.json.
// Bounded: a fixed number of packages, loopback only. Without DATABASE_URL the same run uses one
// gateway process on PGlite (the two-process part needs PostgreSQL, and says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, migrate, drain, type Db, type Handler } from '../../src/store/index.ts';
import { allMigrationDirs, GATEWAY_MODULES, moduleFile } from '../../src/store/modules.ts';
import { addFacility, issueToken, registerCertificate } from '../../src/gateway/index.ts';
import { buildPackage } from '../../src/standard/index.ts';
import { createDevCa, issueFacilityCertificate, signerFromPem, signXml } from '../../src/signature/index.ts';
import { generateProvince, EncounterGenerator, type Encounter } from '../../src/demo/index.ts';
import { percentile } from '../../bench/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TOTAL = Number(process.env.LOAD_PACKAGES ?? 600);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 8);

interface Gw {
  proc: ChildProcess;
  url: string;
  alive: boolean;
}

const exits: { code: number | null; signal: string | null; err: string }[] = [];

function startServe(env: NodeJS.ProcessEnv, args: string[]): Promise<Gw> {
  return new Promise((resolve, reject) => {
    const proc = fork(MAIN, ['serve', '--port', '0', '--quiet', ...args], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    proc.stderr?.on('data', (b) => (err += String(b)));
    const t = setTimeout(() => reject(new Error(`gateway did not start: ${err.slice(-500)}`)), 60_000);
    proc.on('message', (m: any) => {
      if (m?.ready) {
        clearTimeout(t);
        resolve({ proc, url: m.url, alive: true });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(t);
      exits.push({ code, signal, err: err.slice(-300) });
      if (code !== null && code !== 0) reject(new Error(`gateway exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** Peak resident set of a live process (Linux VmHWM), MiB; null where /proc is not readable. */
function peakRssMiB(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
const peaks: number[] = [];
const notePeak = (pid: number | undefined) => {
  const v = peakRssMiB(pid);
  if (v !== null) peaks.push(v);
};

function writeResults(key: string, figures: Record<string, unknown>) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'load.json');
  const prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  prev[key] = { ...figures, date: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
}

test('sustained load, kill -9 of a gateway and a dropped database connection: nothing accepted lost or duplicated', { timeout: 600_000 }, async (t) => {
  const url = process.env.DATABASE_URL;
  const two = Boolean(url);
  if (!two) t.diagnostic('DATABASE_URL is not set: running ONE gateway process on PGlite (kill -9 + restart); the two-process and pg_terminate_backend parts need PostgreSQL and are NOT exercised in this run');
  const tmp = mkdtempSync(join(tmpdir(), 'ssk-load-'));
  const schema = `load_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dataDir = join(tmp, 'gw');
  let db: Db = two ? await openDb({ url: url!, schema }) : await openDb({ dataDir });
  const gws: Gw[] = [];
  try {
    await migrate(db, allMigrationDirs());
    const province = generateProvince({ seed: 42 });
    const facs = province.facilities.slice(0, 6);
    const ca = await createDevCa();
    const cred = new Map<string, { token: string; signer: any }>();
    for (const f of facs) {
      await addFacility(db, { macskcb: f.macskcb, name: f.name });
      const { token } = await issueToken(db, f.macskcb, { name: 'load' });
      const c = (await (issueFacilityCertificate as any)(ca, f.macskcb, f.name)) as { keyPem: string; certPem: string };
      await registerCertificate(db, f.macskcb, c.certPem);
      cred.set(f.macskcb, { token, signer: await signerFromPem(c.keyPem, c.certPem) });
    }
    // Prepare the signed packages first (signing is not what is measured here).
    const gen = new EncounterGenerator(province);
    const items: { e: Encounter; bytes: Buffer; sha: string; token: string }[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const f = facs[i % facs.length];
      const e = gen.next({ facility: f, end: new Date(Date.now() - 3_600_000) });
      const bytes = await signXml(buildPackage({ macskcb: f.macskcb, ngayLap: e.dossier.tables.XML1![0].NGAY_RA.slice(0, 8), dossiers: [e.dossier] }), cred.get(f.macskcb)!.signer);
      items.push({ e, bytes, sha: createHash('sha256').update(bytes).digest('hex'), token: cred.get(f.macskcb)!.token });
    }
    if (!two) {
      await db.close(); // PGlite: one process per data directory
    }
    const env = two ? { ...process.env, DATABASE_URL: url, DATABASE_SCHEMA: schema } : { ...process.env, DATABASE_URL: '' };
    const serveArgs = two ? [] : ['--data', dataDir];
    gws.push(await startServe(env, serveArgs));
    if (two) gws.push(await startServe(env, serveArgs));

    const receipts = new Map<string, string>();
    const latencies: number[] = [];
    let retries = 0;
    let next = 0;
    let done = 0;
    let rr = 0;
    const events: string[] = [];
    const t0 = performance.now();
    const live = () => gws.filter((g) => g.alive);
    let stopped = false;
    let lastAnswer = '';
    const sendOne = async (it: (typeof items)[number]) => {
      const giveUp = Date.now() + 180_000;
      while (Date.now() < giveUp && !stopped) {
        const l = live();
        if (!l.length) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const g = l[rr++ % l.length];
        const s = performance.now();
        try {
          const r = await fetch(`${g.url}/api/v1/packages`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${it.token}` }, body: it.bytes, signal: AbortSignal.timeout(30_000) });
          const body = (await r.json().catch(() => null)) as { status?: string } | null;
          if (r.status === 200 && body?.status) {
            latencies.push(performance.now() - s);
            receipts.set(it.sha, body.status);
            return;
          }
          retries++;
          lastAnswer = `HTTP ${r.status} ${JSON.stringify(body).slice(0, 300)}`;
          await new Promise((res) => setTimeout(res, r.status === 429 ? 200 : 50));
        } catch (e) {
          lastAnswer = String(e);
          retries++;
          await new Promise((res) => setTimeout(res, 50));
        }
      }
      throw new Error(`a package could not be delivered within 180 s; last answer: ${lastAnswer}`);
    };
    const faults = async () => {
      // kill -9 of one gateway at a third of the way; restart at two thirds.
      while (done < TOTAL / 3) await (stopped ? Promise.reject(new Error('stopped')) : new Promise((r) => setTimeout(r, 20)));
      const victim = gws[0];
      victim.alive = false;
      notePeak(victim.proc.pid);
      victim.proc.kill('SIGKILL');
      events.push(`kill -9 gateway after ${done} receipts`);
      await new Promise((r) => victim.proc.once('exit', r));
      if (two) {
        // Drop every database connection of the surviving gateway in the middle of the stream.
        while (done < TOTAL / 2) await (stopped ? Promise.reject(new Error('stopped')) : new Promise((r) => setTimeout(r, 20)));
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          const r = await c.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name NOT LIKE 'psql%'`);
          events.push(`pg_terminate_backend of ${r.rows[0].n} connections after ${done} receipts`);
        } finally {
          await c.end();
        }
        // A gateway process that dies of the dropped connections is noted and restarted.
        await new Promise((r) => setTimeout(r, 1000));
        for (let i = 1; i < gws.length; i++) {
          if (gws[i].proc.exitCode !== null || gws[i].proc.signalCode !== null) {
            events.push(`gateway ${i} EXITED after pg_terminate_backend (code ${gws[i].proc.exitCode}; ${exits.at(-1)?.err.replace(/\s+/g, ' ').slice(0, 200)}) — restarted`);
            gws[i].alive = false;
            gws[i] = await startServe(env, serveArgs);
          }
        }
      }
      // One gateway only (PGlite): restart at once, the stream waits for it.
      if (two) while (done < (2 * TOTAL) / 3) await (stopped ? Promise.reject(new Error('stopped')) : new Promise((r) => setTimeout(r, 20)));
      const restarted = await startServe(env, serveArgs);
      gws[0] = restarted;
      events.push(`gateway restarted after ${done} receipts`);
    };
    const faultRun = faults();
    faultRun.catch(() => {});
    try {
      await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) {
          const it = items[next++];
          await sendOne(it);
          done++;
        }
      }),
    );
    } finally {
      if (done < TOTAL) stopped = true;
    }
    await faultRun;
    const seconds = (performance.now() - t0) / 1000;

    // Verify: stop the gateways (graceful), then check the stored rows from a fresh connection.
    for (const g of gws) {
      notePeak(g.proc.pid);
      g.proc.kill('SIGTERM');
      await new Promise((r) => (g.proc.exitCode !== null ? r(null) : g.proc.once('exit', r)));
    }
    gws.length = 0;
    if (!two) db = await openDb({ dataDir });
    const accepted = items.filter((it) => receipts.get(it.sha) === 'accepted');
    assert.equal(receipts.size, TOTAL, 'every package got a receipt');
    assert.equal(accepted.length, TOTAL, `every generated package is valid and accepted (${[...receipts.values()].filter((s) => s !== 'accepted').length} not)`);
    const arch = await db.query<{ sha256: string; n: string }>(`SELECT sha256, count(*)::text AS n FROM package_archive GROUP BY sha256`);
    const archived = new Map(arch.rows.map((r) => [r.sha256, Number(r.n)]));
    for (const it of accepted) assert.equal(archived.get(it.sha), 1, 'each accepted package archived exactly once');
    const ds = await db.query<{ ma_lk: string; macskcb: string; n: string }>(`SELECT macskcb, ma_lk, count(*)::text AS n FROM dossier GROUP BY macskcb, ma_lk`);
    assert.equal(ds.rows.length, accepted.length, 'one dossier row per accepted dossier');
    for (const r of ds.rows) assert.equal(Number(r.n), 1, `no duplicate dossier at ${r.macskcb}`);
    const want = new Set(accepted.map((it) => `${it.e.macskcb}|${it.e.maLk}`));
    for (const r of ds.rows) assert.ok(want.has(`${r.macskcb}|${r.ma_lk}`));
    // Finish what the outbox still holds with every module's handlers, then the health book must
    // hold each accepted dossier exactly once (the outbox survived the faults).
    const handlers: Record<string, Handler> = {};
    for (const m of GATEWAY_MODULES) {
      const w = moduleFile(m, 'worker.ts');
      if (w) Object.assign(handlers, ((await import(w)) as { handlers?: Record<string, Handler> }).handlers ?? {});
    }
    const drained = await drain(db, handlers);
    const proj = await db.query<{ n: string }>(`SELECT count(DISTINCT dossier_id)::text AS n FROM book_entry`);
    const dup = await db.query(`SELECT dossier_id, kind, source_table, seq FROM book_entry WHERE dossier_id IS NOT NULL GROUP BY dossier_id, kind, source_table, seq HAVING count(*) > 1`);
    assert.equal(Number(proj.rows[0].n), accepted.length, 'every accepted dossier reached the health book');
    assert.equal(dup.rows.length, 0, 'no book entry projected twice');
    const dead = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM outbox_dead`);
    assert.equal(dead.rows[0].n, '0', 'no outbox event dead-lettered');
    events.push(`outbox events finished after the run: ${drained}`);
    const figures = {
      gateways: two ? 2 : 1,
      database: two ? 'PostgreSQL' : 'PGlite',
      packages: TOTAL,
      concurrency: CONCURRENCY,
      seconds: Math.round(seconds * 10) / 10,
      acceptedPerSecond: Math.round((accepted.length / seconds) * 10) / 10,
      p50ms: Math.round(percentile(latencies, 50)),
      p99ms: Math.round(percentile(latencies, 99)),
      retries,
      gatewayPeakRssMiB: peaks.length ? Math.max(...peaks) : null,
      lost: 0,
      duplicated: 0,
      events,
    };
    t.diagnostic(JSON.stringify(figures));
    if (peaks.length) assert.ok(Math.max(...peaks) < 512, `a gateway process peaked at ${Math.max(...peaks)} MiB RSS (limit 512)`);
    writeResults(two ? 'twoGatewaysPostgres' : 'oneGatewayPglite', figures);
  } finally {
    for (const g of gws) g.proc.kill('SIGKILL');
    await db.close().catch(() => {});
    if (two) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await c.end();
    }
    rmSync(tmp, { recursive: true, force: true });
  }
});
