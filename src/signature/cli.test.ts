// ssk dev-ca, ssk sign (PEM and PKCS#12, --out and --in-place), ssk verify (--trust, --cert, --json);
// also on the two certificate documents (death notice, driving-licence health check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallPackage } from './testing.ts';
import { buildCertificateDoc, parseCertificateDoc } from '../standard/index.ts';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', 'cli', 'main.ts');
async function ssk(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('ssk dev-ca → sign → verify', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ssk-cli-'));
  try {
    const ca = await ssk('dev-ca', d, '--facility', '79001', '--facility', '79002:Bệnh viện B', '--json');
    assert.equal(ca.code, 0, ca.stderr);
    const info = JSON.parse(ca.stdout);
    assert.equal(info.facilities.length, 2);
    for (const f of ['ca.cert.pem', '79001.key.pem', '79001.cert.pem', '79001.p12', '79002.p12']) assert.ok(existsSync(join(d, f)), f);
    writeFileSync(join(d, 'a.xml'), smallPackage('79001'));
    writeFileSync(join(d, 'b.xml'), smallPackage('79001'));
    const s1 = await ssk('sign', '--p12', join(d, '79001.p12'), '--passphrase', 'sosuckhoe', '--out', join(d, 'out'), join(d, 'a.xml'));
    assert.equal(s1.code, 0, s1.stderr);
    const s2 = await ssk('sign', '--key', join(d, '79001.key.pem'), '--cert', join(d, '79001.cert.pem'), '--in-place', join(d, 'b.xml'));
    assert.equal(s2.code, 0, s2.stderr);
    assert.match(readFileSync(join(d, 'b.xml'), 'utf8'), /<CHUKYDONVI><ds:Signature/);
    const v = await ssk('verify', '--trust', join(d, 'ca.cert.pem'), '--json', join(d, 'out', 'a.xml'), join(d, 'b.xml'));
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const out = JSON.parse(v.stdout);
    assert.deepEqual(out.files.map((f: { ok: boolean; certificate: { facilityCode: string } }) => [f.ok, f.certificate.facilityCode]), [[true, '79001'], [true, '79001']]);
    // signing again is refused; another facility's registered certificate is refused with its code
    const again = await ssk('sign', '--key', join(d, '79001.key.pem'), '--cert', join(d, '79001.cert.pem'), '--in-place', join(d, 'b.xml'));
    assert.equal(again.code, 1);
    const other = await ssk('verify', '--cert', join(d, '79002.cert.pem'), join(d, 'b.xml'));
    assert.equal(other.code, 1);
    assert.match(other.stdout, /SIG_CERT_NOT_EXPECTED/);
    writeFileSync(join(d, 'c.xml'), readFileSync(join(d, 'b.xml'), 'utf8').replace('20260115', '20260116'));
    const bad = await ssk('verify', '--trust', join(d, 'ca.cert.pem'), join(d, 'c.xml'));
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /SIG_DIGEST_MISMATCH/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('ssk sign and ssk verify handle death notices and driving-licence health checks', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ssk-cert-'));
  try {
    assert.equal((await ssk('dev-ca', d, '--facility', '79001')).code, 0);
    const death = { SO: 'BT-1', MA_CSKCB: '79001', HO_TEN: 'Lê Văn Tám', SO_CCCD: '079300000008', NGAY_SINH: '195001010000', GIOI_TINH: '1', NGAY_CHET: '202611010800', NOI_CHET: 'Khoa Nội', NGUYEN_NHAN_CHET: 'Suy tim', MA_TTDV: '7900000001', NGAY_CT: '20261101' };
    const driving = { SO: 'KSK-1', MA_CSKCB: '79001', HO_TEN: 'Lê Thị Chín', SO_CCCD: '079300000009', NGAY_SINH: '199501010000', GIOI_TINH: '2', HANG_GPLX: 'B', KET_LUAN: 'Đủ sức khỏe', DU_DIEU_KIEN: '1', NGAY_KHAM: '20261101', NGAY_HET_HAN: '20271101', MA_BS: '1/HCM', TEN_BS: 'BS A', MA_TTDV: '7900000001', NGAY_CT: '20261101' };
    writeFileSync(join(d, 'bao-tu.xml'), buildCertificateDoc('death_notice', death));
    writeFileSync(join(d, 'ksk.xml'), buildCertificateDoc('driving_check', driving));
    const s = await ssk('sign', '--p12', join(d, '79001.p12'), '--passphrase', 'sosuckhoe', '--in-place', join(d, 'bao-tu.xml'), join(d, 'ksk.xml'));
    assert.equal(s.code, 0, s.stdout + s.stderr);
    for (const [file, row] of [['bao-tu.xml', death], ['ksk.xml', driving]] as const) {
      const signed = readFileSync(join(d, file));
      assert.match(signed.toString('utf8'), /<CHUKYDONVI><ds:Signature/);
      assert.deepEqual(parseCertificateDoc(signed).row, row, 'the signed document still parses to the same row');
    }
    const v = await ssk('verify', '--trust', join(d, 'ca.cert.pem'), '--json', join(d, 'bao-tu.xml'), join(d, 'ksk.xml'));
    assert.equal(v.code, 0, v.stdout + v.stderr);
    writeFileSync(join(d, 'ksk.xml'), readFileSync(join(d, 'ksk.xml'), 'utf8').replace('Đủ sức khỏe', 'Không đủ sức khỏe'));
    const bad = await ssk('verify', '--trust', join(d, 'ca.cert.pem'), '--json', join(d, 'ksk.xml'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout, /SIG_DIGEST_MISMATCH/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
