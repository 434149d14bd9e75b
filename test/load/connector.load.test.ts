// Fault test: a connector process (`ssk connector run`) receives generated visits in its intake
// folder in real time and is killed with SIGKILL in the middle; after a restart every dossier
// reaches the gateway exactly once (one dossier row, version 1, per MA_LK). Bounded, loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openDb, type Db } from '../../src/store/index.ts';
import { startGateway, addFacility, issueToken, registerCertificate } from '../../src/gateway/index.ts';
import { buildPackage } from '../../src/standard/index.ts';
import { createDevCa, issueFacilityCertificate } from '../../src/signature/index.ts';
import { generateProvince, EncounterGenerator } from '../../src/demo/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TOTAL = Number(process.env.LOAD_CONNECTOR_DOSSIERS ?? 150);

function runConnector(config: string): ChildProcess {
  return spawn(process.execPath, [MAIN, 'connector', 'run', '-c', config, '--json'], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, DATABASE_URL: '' } });
}

async function count(db: Db, mac: string): Promise<number> {
  const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM dossier WHERE macskcb = $1`, [mac]);
  return Number(r.rows[0].n);
}

test('kill -9 of a connector mid-stream: every dossier arrives exactly once', { timeout: 600_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'ssk-conload-'));
  const gw = await startGateway({ dataDir: join(tmp, 'gw'), port: 0, config: { worker: false } });
  let proc: ChildProcess | undefined;
  try {
    const province = generateProvince({ seed: 9 });
    const f = province.facilities.find((x) => x.level === 'district')!;
    await addFacility(gw.db, { macskcb: f.macskcb, name: f.name });
    const { token } = await issueToken(gw.db, f.macskcb);
    const c = (await (issueFacilityCertificate as any)(await createDevCa(), f.macskcb, f.name)) as { keyPem: string; certPem: string };
    await registerCertificate(gw.db, f.macskcb, c.certPem);
    const cdir = join(tmp, 'connector');
    mkdirSync(cdir, { recursive: true });
    writeFileSync(join(cdir, 'key.pem'), c.keyPem);
    writeFileSync(join(cdir, 'cert.pem'), c.certPem);
    const config = join(cdir, 'connector.json');
    writeFileSync(
      config,
      JSON.stringify({
        macskcb: f.macskcb,
        dataDir: cdir,
        target: { kind: 'sosuckhoe', url: gw.url, token },
        signer: { kind: 'pem', keyFile: join(cdir, 'key.pem'), certFile: join(cdir, 'cert.pem') },
        http: { host: '127.0.0.1', port: 0 },
        pollMs: 100,
        stableMs: 100,
        retry: { baseMs: 100, maxMs: 2000, timeoutMs: 30_000 },
      }),
    );
    const inbox = join(cdir, 'inbox');
    mkdirSync(inbox, { recursive: true });
    const gen = new EncounterGenerator(province);
    const maLks: string[] = [];
    const drop = (i: number) => {
      const e = gen.next({ facility: f, end: new Date(Date.now() - 600_000) });
      maLks.push(e.maLk);
      const bytes = buildPackage({ macskcb: f.macskcb, ngayLap: e.dossier.tables.XML1![0].NGAY_RA.slice(0, 8), dossiers: [e.dossier] });
      const tmpFile = join(cdir, `.drop-${i}.tmp`);
      writeFileSync(tmpFile, bytes);
      renameSync(tmpFile, join(inbox, `${String(i).padStart(5, '0')}-${e.maLk}.xml`));
    };
    proc = runConnector(config);
    const t0 = performance.now();
    let killedAt = -1;
    for (let i = 0; i < TOTAL; i++) {
      drop(i);
      await new Promise((r) => setTimeout(r, 20));
      if (killedAt < 0 && i >= TOTAL / 2) {
        // Wait until some are through, then kill -9 in the middle of the stream.
        while ((await count(gw.db, f.macskcb)) < TOTAL / 4) await new Promise((r) => setTimeout(r, 50));
        killedAt = await count(gw.db, f.macskcb);
        proc.kill('SIGKILL');
        await new Promise((r) => proc!.once('exit', r));
        proc = runConnector(config);
      }
    }
    const until = Date.now() + 300_000;
    while ((await count(gw.db, f.macskcb)) < TOTAL && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - t0) / 1000;
    const rows = await gw.db.query<{ ma_lk: string; n: string; v: number }>(`SELECT ma_lk, count(*)::text AS n, max(version) AS v FROM dossier WHERE macskcb = $1 GROUP BY ma_lk`, [f.macskcb]);
    assert.equal(rows.rows.length, TOTAL, 'every dossier arrived');
    for (const r of rows.rows) {
      assert.equal(Number(r.n), 1, 'exactly once');
      assert.equal(Number(r.v), 1, 'no second version');
    }
    assert.deepEqual(new Set(rows.rows.map((r) => r.ma_lk)), new Set(maLks));
    const figures = { dossiers: TOTAL, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round((TOTAL / seconds) * 10) / 10, killedAfterAccepted: killedAt, lost: 0, duplicated: 0 };
    t.diagnostic(JSON.stringify(figures));
    const file = join(ROOT, 'bench', 'results', 'load.json');
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    prev.connectorKill9 = { ...figures, date: new Date().toISOString() };
    writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
  } finally {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc!.once('exit', r));
    }
    await gw.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
