// decodeBase64: the round-trip fast path must accept and refuse exactly what the strict regex does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64 } from './index.ts';

const verdict = (t: string) => {
  const r = decodeBase64(t);
  return 'bytes' in r ? r.bytes.toString('hex') : `error: ${r.error}`;
};

test('decodeBase64 accepts canonical and non-canonical standard base64, with whitespace', () => {
  const text = Buffer.from('Bảng kê chi phí khám bệnh'.repeat(50)).toString('base64');
  assert.equal(verdict(text), Buffer.from('Bảng kê chi phí khám bệnh'.repeat(50)).toString('hex'));
  assert.equal(verdict(text.replace(/(.{76})/g, '$1\r\n')), verdict(text));
  // Unused bits set in the last character: not canonical, still accepted (as before), same bytes as Node decodes.
  assert.equal(verdict('QR=='), Buffer.from('QQ==', 'base64').toString('hex'));
  assert.equal(verdict('QUJ='), Buffer.from('QUI=', 'base64').toString('hex'));
  assert.equal(verdict('QUJD'), '414243');
});

test('decodeBase64 refuses foreign characters, bad padding and truncation', () => {
  assert.equal(verdict(''), 'error: empty');
  assert.equal(verdict('  \n'), 'error: empty');
  assert.match(verdict('QUJDR'), /not a multiple of 4/);
  for (const bad of ['QU-D', 'QU_D', 'QU=D', '=QUJ', 'QUJD====', 'Q===', 'QUJDé===', 'QUJ\u0000']) {
    assert.match(verdict(bad), /error: /, JSON.stringify(bad));
  }
});
