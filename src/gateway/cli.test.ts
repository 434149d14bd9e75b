// The admin and receipt commands as a user runs them (child processes on a PGlite directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { receiptKeyFromPem, signReceipt } from './index.ts';

const main = join(import.meta.dirname, '..', 'cli', 'main.ts');

test('ssk admin facility/token/cert and ssk receipt verify', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssk-admin-'));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const ssk = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { env, encoding: 'utf8' });
  try {
    const data = join(dir, 'gw');
    const add = ssk('admin', '--data', data, 'facility', 'add', '01001', 'Bệnh viện A', '--json');
    assert.equal(add.status, 0, add.stderr);
    assert.equal(JSON.parse(add.stdout).macskcb, '01001');
    const tok = ssk('admin', '--data', data, 'token', 'issue', '01001', '--json');
    assert.equal(tok.status, 0, tok.stderr);
    assert.match(JSON.parse(tok.stdout).token, /^ssk_/);
    const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=01001', '-days', '2'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    writeFileSync(join(dir, 'c.pem'), pem);
    const reg = ssk('admin', '--data', data, 'cert', 'register', '01001', join(dir, 'c.pem'), '--json');
    assert.equal(reg.status, 0, reg.stderr);
    const fp = JSON.parse(reg.stdout).fingerprint;
    const rev = ssk('admin', '--data', data, 'cert', 'revoke', '01001', fp, '--json');
    assert.equal(JSON.parse(rev.stdout).status, 'revoked');
    assert.equal(JSON.parse(rev.stdout).fingerprint, fp);

    // receipts: valid → exit 0, altered → exit 1
    const priv = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = receiptKeyFromPem(priv);
    const receipt = signReceipt({ receiptId: 'r', packageSha256: 'a'.repeat(64), macskcb: '01001', kind: 'dossier', status: 'accepted', receivedAt: '2026-01-01T00:00:00.000Z', dossiers: [], problems: [] }, key);
    writeFileSync(join(dir, 'pub.pem'), key.publicPem);
    writeFileSync(join(dir, 'r.json'), JSON.stringify(receipt));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...receipt, status: 'rejected' }));
    const ok = ssk('receipt', 'verify', join(dir, 'r.json'), '--key', join(dir, 'pub.pem'));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /HỢP LỆ \/ VALID/);
    const bad = ssk('receipt', 'verify', join(dir, 'bad.json'), '--key', join(dir, 'pub.pem'));
    assert.equal(bad.status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
