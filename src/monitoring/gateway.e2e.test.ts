// Monitoring over what the real gateway stores: accepted packages (package_archive) and rejected
// submissions (package_rejection) both count as received; rejections and their reasons show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../gateway/testing.ts';
import { validPackage } from '../standard/testing.ts';
import { refreshAggregates, totals, topReasons, localDay } from './index.ts';

test('rejected submissions through the gateway count as received and rejected, with their reason', async () => {
  const gw = await startTestGateway({ kind: 'pglite' });
  try {
    const m = gw.facility.macskcb;
    const good = await gw.submit(await gw.signedPackage(validPackage({ macskcb: m, seed: 11 })));
    assert.equal(good.body.status, 'accepted');
    const bad = validPackage({ macskcb: m, seed: 12 });
    bad.dossiers[0].tables.XML1![0].NGAY_VAO = '2025139912';
    const rej = await gw.submit(await gw.signedPackage(bad));
    assert.equal(rej.body.status, 'rejected');
    const codes = new Set<string>((rej.body.dossiers ?? []).flatMap((d: any) => d.problems.map((p: any) => p.code)).concat(rej.body.problems.map((p: any) => p.code)));
    const day = localDay(new Date());
    const period = { from: day, to: day };
    await refreshAggregates(gw.db, period);
    const t = await totals(gw.db, {}, period);
    assert.equal(Number(t.packages), 2);
    assert.equal(Number(t.packages_rejected), 1);
    const reasons = await topReasons(gw.db, {}, period);
    assert.ok(reasons.length > 0 && reasons.every((r) => codes.has(r.code)), JSON.stringify({ reasons, codes: [...codes] }));
  } finally {
    await gw.close();
  }
});
