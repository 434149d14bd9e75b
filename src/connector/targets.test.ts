// The connector against a real gateway (src/gateway/testing.ts, over HTTP): the national calls
// (token/take, guiHoSoXmlQD4750, checkInKcbQd4750, guiDuLieuGdykQd130), medical-assessment documents
// (XML12) through our API, 429 + Retry-After honoured, and a package the
// gateway rejects (certificate not registered) shown with the gateway's own problem codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../gateway/testing.ts';
import { gatewayContext } from '../gateway/index.ts';
import { buildPackage, buildCheckIn, buildGdyk, buildCertificateDoc } from '../standard/index.ts';
import { validPackage, validDossier, validCheckInRows, validGdykRows } from '../standard/testing.ts';
import { startConnector, fromSignatureSigner, formatStatus, type ConnectorConfigInput, type Target } from './index.ts';

let tg: TestGateway;
const dirs: string[] = [];

before(async () => {
  tg = await startTestGateway({ config: { retryAfterSeconds: 1 } });
});
after(async () => {
  await tg.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cfg(target: Target, extra: Partial<ConnectorConfigInput> = {}): ConnectorConfigInput {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-con-t-'));
  dirs.push(dir);
  return { macskcb: tg.facility.macskcb, dataDir: dir, target, http: { host: '127.0.0.1', port: 0 }, retry: { baseMs: 10, maxMs: 50, timeoutMs: 10_000 }, pollMs: 50, stableMs: 0, ...extra };
}

async function until(fn: () => Promise<boolean>, ms = 30_000, why?: () => Promise<unknown>) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) assert.fail(`condition not reached in time${why ? `: ${JSON.stringify(await why()).slice(0, 1500)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const gdykAtGateway = async () => Number((await tg.db.query(`SELECT count(*)::int AS n FROM package_archive WHERE kind = 'gdyk' AND status = 'accepted'`)).rows[0].n);

test('national gateway calls: token/take, guiHoSoXmlQD4750 one dossier per call, checkInKcbQd4750, guiDuLieuGdykQd130', async () => {
  const f = tg.facility;
  const gdykBefore = await gdykAtGateway();
  const conn = await startConnector(cfg({ kind: 'national', url: tg.url, username: f.username, password: f.password, edition: '4750' }), { memoryDb: true, signer: await fromSignatureSigner(f.signer) });
  try {
    assert.equal(conn.config.batch.maxDossiers, 1);
    const rep = await conn.submit(buildPackage(validPackage({ macskcb: f.macskcb, count: 3, seed: 500 })), 'visit.xml');
    assert.equal(rep.queued.length, 3);
    await conn.submit(buildCheckIn(f.macskcb, validCheckInRows(validDossier({ macskcb: f.macskcb, seed: 510 }))), 'checkin.xml');
    const g = await conn.submit(buildGdyk(validGdykRows(511)), 'giamdinh.xml');
    assert.equal(g.kind, 'gdyk');
    assert.equal(g.queued.length, 1);
    await until(async () => {
      const s = await conn.status();
      return s.items.accepted === 3 && s.checkins.accepted === 1 && s.assessments.accepted === 1;
    });
    assert.equal(await gdykAtGateway(), gdykBefore + 1, 'the XML12 document arrived once, through guiDuLieuGdykQd130');
    const gb = (await conn.db.query(`SELECT receipt_id FROM con_batch WHERE kind = 'gdyk' AND state = 'done'`)).rows;
    assert.equal(gb.length, 1);
    assert.ok(gb[0].receipt_id, 'maGiaoDich kept');
    const packages = (await conn.db.query(`SELECT dossiers, receipt_id FROM con_batch WHERE kind = 'dossier' AND state = 'done'`)).rows;
    assert.equal(packages.length, 3, 'one dossier per national call');
    assert.ok(packages.every((p) => p.dossiers === 1 && p.receipt_id), 'maGiaoDich kept as the receipt id');
    const atGateway = (await tg.db.query(`SELECT count(*)::int AS n FROM dossier WHERE macskcb = $1 AND ma_lk LIKE '%-0000050_'`, [f.macskcb])).rows[0].n;
    assert.equal(atGateway, 3);
    // Wrong password: held for a person with an explanation, not retried forever.
    const bad = await startConnector(cfg({ kind: 'national', url: tg.url, username: f.username, password: 'wrong' }), { memoryDb: true, signer: await fromSignatureSigner(f.signer) });
    try {
      await bad.submit(buildPackage(validPackage({ macskcb: f.macskcb, seed: 520 })), 'x.xml');
      await until(async () => (await bad.status()).items.failed === 1);
      assert.equal((await bad.status()).errors[0].problems[0].code, 'CON_AUTH');
    } finally {
      await bad.close();
    }
  } finally {
    await conn.close();
  }
});

test('busy gateway (429): Retry-After is honoured, then the package goes through once', async () => {
  const ctx = gatewayContext(tg.app)!;
  const before = ctx.config.maxInFlight;
  ctx.config.maxInFlight = 0;
  const conn = await startConnector(cfg({ kind: 'sosuckhoe', url: tg.url, token: tg.facility.token }), { memoryDb: true, signer: await fromSignatureSigner(tg.facility.signer) });
  try {
    await conn.submit(buildPackage(validPackage({ macskcb: tg.facility.macskcb, count: 2, seed: 600 })), 'busy.xml');
    await until(async () => (await conn.status()).packages.lastError?.code === 'CON_GATEWAY_BUSY');
    const b = (await conn.db.query(`SELECT attempts, EXTRACT(EPOCH FROM (next_attempt_at - now())) * 1000 AS wait FROM con_batch WHERE state = 'ready'`)).rows[0];
    assert.equal(b.attempts, 1, 'base delay is 10 ms, but Retry-After: 1 s holds the next attempt');
    assert.ok(Number(b.wait) > 500, `next attempt in ${b.wait} ms`);
    ctx.config.maxInFlight = before;
    await until(async () => (await conn.status()).items.accepted === 2);
    const n = (await tg.db.query(`SELECT count(*)::int AS n FROM dossier WHERE ma_lk LIKE '%-0000060_'`)).rows[0].n;
    assert.equal(n, 2);
  } finally {
    ctx.config.maxInFlight = before;
    await conn.close();
  }
});

test('a package the gateway rejects: dossiers rejected with the gateway problem codes, shown on the page', async () => {
  const other = await tg.unregisteredSigner(tg.facility.macskcb);
  const conn = await startConnector(cfg({ kind: 'sosuckhoe', url: tg.url, token: tg.facility.token }), { memoryDb: true, signer: await fromSignatureSigner(other.signer) });
  try {
    await conn.submit(buildPackage(validPackage({ macskcb: tg.facility.macskcb, seed: 700 })), 'rej.xml');
    await until(async () => (await conn.status()).items.rejected === 1);
    const s = await conn.status();
    assert.equal(s.items.accepted, 0);
    const codes = s.errors[0].problems.map((p) => p.code);
    assert.ok(codes.length && codes.every((c) => c.startsWith('GW_') || c.startsWith('SIG_')), codes.join(','));
    const page = await (await fetch(conn.url + '/')).text();
    assert.ok(page.includes(codes[0]));
    // Never sent again: the receipt is in.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await conn.db.query(`SELECT sum(attempts)::int AS n FROM con_batch`)).rows[0].n, 1);
  } finally {
    await conn.close();
  }
});

test('medical-assessment documents (XML12) through our API: signed, sent once, receipt kept; an invalid one is rejected at intake with its field', async () => {
  const f = tg.facility;
  const gdykBefore = await gdykAtGateway();
  const conn = await startConnector(cfg({ kind: 'sosuckhoe', url: tg.url, token: f.token }), { memoryDb: true, signer: await fromSignatureSigner(f.signer) });
  try {
    const doc = buildGdyk(validGdykRows(800));
    const ok = await conn.submit(doc, 'gdyk-800.xml');
    assert.equal(ok.state, 'processed');
    assert.deepEqual((await conn.submit(doc, 'again.xml')).queued, ok.queued, 'the same bytes again: the same report, nothing new queued');
    assert.equal((await conn.db.query(`SELECT count(*)::int AS n FROM con_item WHERE kind = 'gdyk'`)).rows[0].n, 1);
    await until(async () => (await conn.status()).assessments.accepted === 1);
    const b = (await conn.db.query(`SELECT receipt, receipt_id FROM con_batch WHERE kind = 'gdyk'`)).rows;
    assert.equal(b.length, 1);
    assert.equal(b[0].receipt.status, 'accepted');
    assert.match(b[0].receipt_id, /\S/);
    const archived = (await tg.db.query(`SELECT kind, certificate_id FROM package_archive WHERE receipt_id = $1`, [b[0].receipt_id])).rows[0];
    assert.equal(archived.kind, 'gdyk');
    assert.ok(archived.certificate_id, 'verified against the registered certificate');
    assert.equal(await gdykAtGateway(), gdykBefore + 1);
    assert.match(formatStatus(await conn.status()), /XML12\): accepted 1/);
    // A required field missing: rejected before anything is sent, the field named.
    const bad = validGdykRows(801);
    delete bad[0].NGAY_HOP;
    const rep = await conn.submit(buildGdyk(bad), 'gdyk-bad.xml');
    assert.equal(rep.state, 'rejected');
    assert.ok(rep.rejected[0].problems.some((p) => p.path.includes('NGAY_HOP')), JSON.stringify(rep.rejected[0].problems.map((p) => p.path)));
    assert.equal((await conn.db.query(`SELECT count(*)::int AS n FROM con_batch WHERE kind = 'gdyk'`)).rows[0].n, 1);
  } finally {
    await conn.close();
  }
});

test('death notices through our API: signed, sent, accepted; a corrected version goes as a replacement; the national target refuses them clearly', async () => {
  const f = tg.facility;
  const row = (cause: string) => ({
    SO: 'BT-CON-0001', MA_CSKCB: f.macskcb, HO_TEN: 'Trần Văn Tư', SO_CCCD: '079301230001', NGAY_SINH: '194001010000', GIOI_TINH: '1', NGAY_CHET: '202611200530',
    NOI_CHET: 'Khoa Hồi sức tích cực', NGUYEN_NHAN_CHET: cause, MA_TTDV: '7901000001', NGAY_CT: '20261120',
  });
  const conn = await startConnector(cfg({ kind: 'sosuckhoe', url: tg.url, token: f.token }), { memoryDb: true, signer: await fromSignatureSigner(f.signer) });
  try {
    const first = await conn.submit(buildCertificateDoc('death_notice', row('Sốc nhiễm khuẩn')), 'bao-tu.xml');
    assert.equal(first.kind, 'certificate');
    assert.deepEqual(first.queued.map((q) => [q.maLk, q.replaces]), [['death_notice:BT-CON-0001', false]]);
    await until(async () => (await conn.status()).certificates.accepted === 1, 30_000, async () => ({ s: await conn.status(), b: (await conn.db.query(`SELECT state, last_error, receipt FROM con_batch`)).rows }));
    const fixed = await conn.submit(buildCertificateDoc('death_notice', row('Suy hô hấp cấp')), 'bao-tu-sua.xml');
    assert.equal(fixed.queued[0].replaces, true, 'the same number again, after acceptance: a replacement');
    await until(async () => (await conn.status()).certificates.accepted === 1 && (await conn.status()).certificates.replaced === 1);
    const receipts = (await conn.db.query(`SELECT receipt FROM con_batch WHERE kind = 'certificate' ORDER BY id`)).rows.map((r) => r.receipt.document);
    assert.deepEqual(receipts, [{ type: 'death_notice', number: 'BT-CON-0001', replaces: false }, { type: 'death_notice', number: 'BT-CON-0001', replaces: true }]);
    assert.match(formatStatus(await conn.status()), /certificates: .*accepted 1/);
    // Another facility's code in the document: rejected at intake, nothing sent.
    const other = await conn.submit(buildCertificateDoc('death_notice', { ...row('x'), SO: 'BT-CON-0002', MA_CSKCB: '79999' }), 'khac.xml');
    assert.equal(other.state, 'rejected');
    assert.equal(other.problems[0].code, 'CON_FACILITY');
  } finally {
    await conn.close();
  }
  const nat = await startConnector(cfg({ kind: 'national', url: tg.url, username: f.username, password: f.password }), { memoryDb: true, signer: await fromSignatureSigner(f.signer) });
  try {
    await nat.submit(buildCertificateDoc('death_notice', { ...row('y'), SO: 'BT-CON-0003' }), 'bt3.xml');
    await until(async () => (await nat.status()).certificates.failed === 1);
    assert.equal((await nat.status()).errors[0].problems[0].code, 'CON_TARGET_KIND');
  } finally {
    await nat.close();
  }
});
