// Connector without a gateway: intake (folder + HTTP), validation with the standard's rules,
// rejected folder with a readable report, duplicates, durable queue across restarts while the
// gateway is unreachable, backoff and Retry-After parsing, configuration errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { buildPackage, buildCheckIn } from '../standard/index.ts';
import { validPackage, validDossier, validCheckInRows } from '../standard/testing.ts';
import { isProblemError } from '../errors/index.ts';
import { startConnector, resolveConnectorConfig, backoffMs, parseRetryAfter, formatStatus, type ConnectorConfigInput } from './index.ts';

/** A port nothing listens on (the gateway is "down"). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function cfgFor(dir: string, port: number, extra: Partial<ConnectorConfigInput> = {}): ConnectorConfigInput {
  return {
    macskcb: '01001',
    dataDir: dir,
    target: { kind: 'sosuckhoe', url: `http://127.0.0.1:${port}`, token: 'x' },
    signer: { kind: 'none' },
    http: { host: '127.0.0.1', port: 0 },
    retry: { baseMs: 20, maxMs: 100, timeoutMs: 2000 },
    pollMs: 20,
    stableMs: 30,
    ...extra,
  };
}

async function until(fn: () => Promise<boolean> | boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('condition not reached in time');
}

test('intake by folder and HTTP (one connector, queue in memory)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-'));
  const conn = await startConnector(cfgFor(dir, await deadPort()), { memoryDb: true });
  try {
  await t.test('folder: valid dossiers queued, invalid file rejected with a readable report, nothing deleted', async () => {
    const good = buildPackage(validPackage({ count: 3, seed: 10 }));
    writeFileSync(join(conn.folders.inbox, 'good.xml'), good);
    const bad = validPackage({ count: 2, seed: 20 });
    bad.dossiers[1].tables.XML1![0].NGAY_VAO = '2025-13-01';
    writeFileSync(join(conn.folders.inbox, 'mixed.xml'), buildPackage(bad));
    writeFileSync(join(conn.folders.inbox, 'junk.xml'), 'not xml at all');
    writeFileSync(join(conn.folders.inbox, 'writing.xml.part'), 'partial');
    await until(() => readdirSync(conn.folders.inbox).length === 1);
    assert.deepEqual(readdirSync(conn.folders.inbox), ['writing.xml.part']);
    assert.deepEqual(readdirSync(conn.folders.processed), ['good.xml']);
    const rej = readdirSync(conn.folders.rejected).sort();
    assert.ok(rej.includes('junk.xml') && rej.includes('junk.xml.loi.txt') && rej.includes('mixed.xml') && rej.includes('mixed.xml.loi.txt'), rej.join(','));
    const report = readFileSync(join(conn.folders.rejected, 'mixed.xml.loi.txt'), 'utf8');
    assert.match(report, /NGAY_VAO/);
    assert.match(report, /LỖI/);
    const rjson = JSON.parse(readFileSync(join(conn.folders.rejected, 'mixed.xml.loi.json'), 'utf8'));
    assert.equal(rjson.rejected.length, 1);
    assert.equal(rjson.queued.length, 1, 'the valid dossier of a mixed file is still queued');
    // The bad file's bytes are kept, byte for byte.
    assert.equal(readFileSync(join(conn.folders.rejected, 'junk.xml'), 'utf8'), 'not xml at all');
    const s = await conn.status();
    assert.equal(s.items.queued + s.items.sending, 4);
    assert.equal(s.files.rejected, 2);
    assert.match(formatStatus(s), /Hồ sơ \/ dossiers/);
  });
  await t.test('HTTP: stored before the answer, duplicates recognised, check-in queued, facility mismatch refused', async () => {
    const bytes = buildPackage(validPackage({ count: 2, seed: 30 }));
    const post = (b: Uint8Array, q = '') => fetch(`${conn.url}/api/v1/intake${q}`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-file-name': 'his.xml' }, body: b });
    const r1 = await post(bytes);
    assert.equal(r1.status, 202);
    const b1: any = await r1.json();
    assert.equal(b1.queued.length, 2);
    assert.ok(existsSync(join(conn.folders.spoolIn, `${b1.sha256}.xml`)), 'spooled before acknowledged');
    // Same dossiers, different envelope date: recognised as the same versions.
    const again = validPackage({ count: 2, seed: 30 });
    again.ngayLap = '20251230';
    const b2: any = await (await post(buildPackage(again))).json();
    assert.equal(b2.queued.length, 0);
    assert.equal(b2.duplicates.length, 2);
    const ci: any = await (await post(buildCheckIn('01001', validCheckInRows(validDossier({ seed: 31 }))))).json();
    assert.equal(ci.kind, 'checkin');
    assert.equal(ci.queued.length, 1);
    const other = await post(buildPackage(validPackage({ macskcb: '79002', seed: 32 })));
    assert.equal(other.status, 422);
    const ob: any = await other.json();
    assert.equal(ob.problems[0].code, 'CON_FACILITY');
    const empty = await fetch(`${conn.url}/api/v1/intake`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '' });
    assert.ok(empty.status >= 400);
    const page = await (await fetch(conn.url + '/')).text();
    assert.match(page, /Hàng đợi/);
    assert.match(page, /queue/);
  });
  } finally {
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gateway down: work waits with backoff, survives a restart, unsent packages go back to the queue', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-'));
  const port = await deadPort();
  let conn = await startConnector(cfgFor(dir, port));
  const rep = await conn.submit(buildPackage(validPackage({ count: 2, seed: 40 })), 'a.xml');
  assert.equal(rep.queued.length, 2);
  await until(async () => (await conn.db.query(`SELECT max(attempts)::int AS a FROM con_batch`)).rows[0].a >= 2);
  const s = await conn.status();
  assert.equal(s.items.sending, 2);
  assert.equal(s.packages.lastError?.code, 'CON_GATEWAY_DOWN');
  await conn.close();
  // A package formed but never handed to the network goes back to the queue on restart.
  conn = await startConnector(cfgFor(dir, port), { passive: true });
  await conn.db.query(`INSERT INTO con_batch (kind, sha256, spool_path, dossiers, bytes, state) VALUES ('dossier', 'x', 'x', 0, 0, 'ready')`);
  const bid = (await conn.db.query(`SELECT id FROM con_batch WHERE sha256 = 'x'`)).rows[0].id;
  const extra = await conn.submit(buildPackage(validPackage({ seed: 45 })), 'b.xml');
  await conn.db.query(`UPDATE con_item SET state = 'sending', batch_id = $1 WHERE id = $2`, [bid, extra.queued[0].itemId]);
  await conn.close();
  conn = await startConnector(cfgFor(dir, port), { passive: true });
  try {
    const st = (await conn.db.query(`SELECT state FROM con_item WHERE id = $1`, [extra.queued[0].itemId])).rows[0].state;
    assert.equal(st, 'queued');
    const s2 = await conn.status();
    assert.equal(s2.items.sending, 2, 'the attempted package keeps its items: it is resent as the same bytes');
    assert.equal(s2.items.queued, 1);
    await conn.close();
    // Configured to hold unknown outcomes for a person: the attempted package is held, its items failed.
    conn = await startConnector(cfgFor(dir, port, { unknownOutcome: 'hold' }), { passive: true });
    const s3 = await conn.status();
    assert.equal(s3.items.failed, 2);
    assert.equal(s3.packages.held, 1);
    assert.equal(s3.errors[0].problems[0].code, 'CON_OUTCOME_UNKNOWN');
    assert.equal(await conn.resendFailed(), 2);
    const b = (await conn.db.query(`SELECT state, count(*)::int AS n FROM con_batch WHERE state <> 'dissolved' GROUP BY state`)).rows;
    assert.deepEqual(b, [{ state: 'ready', n: 1 }], 'no second package: the same signed bytes go again');
  } finally {
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backoff grows with jitter, capped, never below Retry-After; Retry-After in seconds or as a date', () => {
  assert.equal(backoffMs(1, 100, 10_000, undefined, () => 0), 50);
  assert.equal(backoffMs(1, 100, 10_000, undefined, () => 1), 100);
  assert.equal(backoffMs(4, 100, 10_000, undefined, () => 1), 800);
  assert.equal(backoffMs(30, 100, 10_000, undefined, () => 1), 10_000);
  assert.equal(backoffMs(1, 100, 10_000, 3000, () => 0), 3000);
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())! > 3000, true);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('configuration errors name the field', () => {
  const base = { macskcb: '01001', dataDir: '/tmp/x', target: { kind: 'sosuckhoe', url: 'http://h', token: 't' } } as ConnectorConfigInput;
  for (const [bad, field] of [
    [{ ...base, macskcb: '1' }, 'macskcb'],
    [{ ...base, target: { kind: 'sosuckhoe', url: 'ftp://x', token: 't' } }, 'target.url'],
    [{ ...base, batch: { maxDossiers: 0 } }, 'batch.maxDossiers'],
    [{ ...base, target: { kind: 'national', url: 'http://h' } }, 'target.username'],
  ] as const) {
    assert.throws(
      () => resolveConnectorConfig(bad as ConnectorConfigInput),
      (e: unknown) => isProblemError(e) && e.problems[0].code === 'CON_CONFIG' && e.problems[0].en.includes(field),
    );
  }
  const ok = resolveConnectorConfig({ ...base, target: { kind: 'national', url: 'http://h/', username: 'u', password: 'p' } });
  assert.equal(ok.batch.maxDossiers, 1, 'national gateway: one dossier per request');
  assert.equal(ok.unknownOutcome, 'hold');
  assert.equal(ok.target.url, 'http://h');
});

test('CLI: ssk connector init writes a config; status --json reads the queue (no connector running)', async () => {
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-cli-'));
  const main = join(import.meta.dirname, '..', 'cli', 'main.ts');
  const cfg = join(dir, 'connector.json');
  const run = (...args: string[]) => spawnSync(process.execPath, [main, 'connector', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 60_000 });
  try {
    const init = run('init', '-c', cfg, '--macskcb', '01001', '--url', `http://127.0.0.1:${await deadPort()}`, '--token', 't');
    assert.equal(init.status, 0, init.stderr);
    assert.equal(run('init', '-c', cfg, '--macskcb', '01001').status, 1, 'never overwrites');
    const conf = JSON.parse(readFileSync(cfg, 'utf8'));
    conf.http.port = 0;
    writeFileSync(cfg, JSON.stringify(conf));
    const st = run('status', '-c', cfg, '--json');
    assert.equal(st.status, 0, st.stderr);
    const s = JSON.parse(st.stdout);
    assert.equal(s.macskcb, '01001');
    assert.equal(s.items.queued, 0);
    const badCfg = run('status', '-c', join(dir, 'missing.json'));
    assert.equal(badCfg.status, 2);
    assert.match(badCfg.stderr, /CON_CONFIG/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('signers from configuration: PKCS#12 and PEM files sign a package that verifies against the certificate', async () => {
  const { createDevCa, issueFacilityCertificate, toPkcs12, verifySignedXml, certificateInfo } = await import('../signature/index.ts');
  const { loadSigner } = await import('./index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-sig-'));
  try {
    const ca = await createDevCa();
    const c = await issueFacilityCertificate(ca, '01001', 'Bệnh viện ký');
    writeFileSync(join(dir, 'f.p12'), toPkcs12(c.keyPem, c.certPem, 'secret'));
    writeFileSync(join(dir, 'k.pem'), c.keyPem);
    writeFileSync(join(dir, 'c.pem'), c.certPem);
    process.env.SSK_TEST_P12_PASS = 'secret';
    const unsigned = buildPackage(validPackage({ seed: 90 }));
    const der = certificateInfo(c.certPem).der;
    for (const s of [await loadSigner({ kind: 'pkcs12', file: join(dir, 'f.p12'), passphraseEnv: 'SSK_TEST_P12_PASS' }), await loadSigner({ kind: 'pem', keyFile: join(dir, 'k.pem'), certFile: join(dir, 'c.pem') })]) {
      const signed = await s.sign(unsigned);
      const v = verifySignedXml(signed, { expectedCertificates: [der] });
      assert.equal(v.ok, true, s.label);
    }
    await assert.rejects(loadSigner({ kind: 'pkcs12', file: join(dir, 'f.p12'), passphrase: 'wrong' }), (e: unknown) => isProblemError(e) && e.problems[0].code.length > 0);
  } finally {
    delete process.env.SSK_TEST_P12_PASS;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the queue SQL on every database kind (PGlite; PostgreSQL when DATABASE_URL is set)', async () => {
  const { dbKinds, openTestDb } = await import('../store/testing.ts');
  const { CONNECTOR_MIGRATIONS } = await import('./index.ts');
  for (const kind of dbKinds()) {
    const t = await openTestDb(kind, [CONNECTOR_MIGRATIONS]);
    const dir = mkdtempSync(join(tmpdir(), `ssk-con-${kind}-`));
    const token = '0123456789abcdef0123';
    const conn = await startConnector(cfgFor(dir, await deadPort(), { unknownOutcome: 'hold', http: { host: '127.0.0.1', port: 0, token } }), { db: t.db });
    try {
      const r = await conn.submit(buildPackage(validPackage({ count: 3, seed: 70 })), 'k.xml');
      assert.equal(r.queued.length, 3, kind);
      const again = validPackage({ count: 3, seed: 70 });
      again.dossiers[2].tables.XML1![0].GHI_CHU = 'sửa / fixed';
      const r2 = await conn.submit(buildPackage(again), 'k2.xml');
      assert.deepEqual([r2.queued.length, r2.duplicates.length], [1, 2], kind);
      await until(async () => (await conn.db.query(`SELECT count(*)::int AS n FROM con_batch WHERE last_error IS NOT NULL AND state = 'ready'`)).rows[0].n >= 1);
      const s = await conn.status();
      assert.equal(s.items.sending + s.items.queued + s.items.superseded, 4, kind);
      assert.equal(s.packages.lastError?.code, 'CON_GATEWAY_DOWN');
      const items = await (await fetch(`${conn.url}/api/v1/items?state=sending`)).json() as any;
      assert.ok(items.items.every((i: any) => i.state === 'sending'));
      // With http.token set, writes need it.
      const body = buildPackage(validPackage({ seed: 77 }));
      const no = await fetch(`${conn.url}/api/v1/intake`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
      assert.equal(no.status, 401);
      assert.equal(((await no.json()) as any).problems[0].code, 'CON_AUTH');
      const yes = await fetch(`${conn.url}/api/v1/intake`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body });
      assert.equal(yes.status, 202);
    } finally {
      await conn.close();
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('group commit: files arriving together are each acknowledged after being stored, duplicates and an invalid file in the same group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-'));
  const conn = await startConnector(cfgFor(dir, await deadPort()), { memoryDb: true, passive: true });
  try {
    const files = Array.from({ length: 30 }, (_, i) => buildPackage(validPackage({ count: 1, seed: 700 + i })));
    // Same bytes twice in one group, plus an invalid file: one row per distinct content, every call answered.
    const reports = await Promise.all([...files, files[0], Buffer.from('not xml')].map((b, i) => conn.submit(b, `g${i}.xml`)));
    assert.equal(reports.length, 32);
    const spooled = readdirSync(conn.folders.spoolIn).filter((n) => n.endsWith('.xml') && !n.startsWith('.'));
    assert.equal(spooled.length, 31, 'every distinct file is in the spool (no temporary names left)');
    for (let i = 0; i < 30; i++) assert.equal(reports[i].state, 'processed');
    assert.equal(reports[30].fileId, reports[0].fileId, 'same bytes → same file');
    assert.equal(reports[31].state, 'rejected');
    assert.equal(new Set(reports.slice(0, 30).map((r) => r.fileId)).size, 30);
    assert.equal(reports.slice(0, 30).reduce((n, r) => n + r.queued.length, 0), 30);
    const s = await conn.status();
    assert.equal(s.items.queued, 30);
  } finally {
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
