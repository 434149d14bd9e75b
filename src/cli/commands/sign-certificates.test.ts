// `ssk sign` / `ssk verify` on the two certificate documents (death notice, driving-licence health
// check): built by src/standard, signed with the facility's PKCS#12 from `ssk dev-ca`, verified
// against the CA; a changed field after signing fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCertificateDoc, parseCertificateDoc } from '../../standard/index.ts';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', 'main.ts');
async function ssk(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

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
