// The bare costs every other figure is compared with, measured in this run.
import { createHash, generateKeyPairSync, createSign, createVerify, randomBytes } from 'node:crypto';
import { rate, fig, type Section } from '../harness.ts';
import { parseXml } from '../../src/standard/xml.ts';

export function sampleXml(kib: number): Buffer {
  const rows: string[] = [];
  let i = 0;
  while (rows.join('').length < kib * 1024) rows.push(`<ROW><STT>${++i}</STT><MA>M${i}</MA><TEN>Thuốc số ${i}</TEN><SO_LUONG>1.5</SO_LUONG></ROW>`);
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?><ROOT>${rows.join('')}</ROOT>`);
}

const section: Section = {
  name: 'bare',
  async run() {
    const data = randomBytes(50 * 1024);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sig = createSign('sha256').update(data).sign(privateKey);
    const sha = await rate(() => createHash('sha256').update(data).digest(), 500);
    const v = await rate(() => createVerify('sha256').update(data).verify(publicKey, sig), 500);
    const s = await rate(() => createSign('sha256').update(data).sign(privateKey), 500);
    const xml = sampleXml(1024);
    const p = await rate(() => parseXml(xml)[Symbol.dispose](), 500);
    return [
      fig('SHA-256 of 50 KiB', (sha * data.length) / 2 ** 20, 'MiB/s'),
      fig('RSA-2048 verify (SHA-256 of 50 KiB)', v, 'ops/s'),
      fig('RSA-2048 sign (SHA-256 of 50 KiB)', s, 'ops/s'),
      fig('libxml2-wasm parse of 1 MiB', (p * xml.length) / 2 ** 20, 'MiB/s'),
    ];
  },
};
export default section;
