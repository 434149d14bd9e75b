// Metrics proven on a generated dataset: rows are inserted directly into the core tables, the
// expected numbers are computed here independently in JavaScript, and dashboard() must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbKinds, openTestDb } from '../store/testing.ts';
import { DIRS, generate, load, expected } from './testing.ts';
import { dashboard, refreshAggregates, refreshDirty, markDirty, renderChart, dashboardCharts, laggards, setSettings } from './index.ts';

for (const kind of dbKinds()) {
  test(`metrics on a generated dataset agree with independent counts (${kind})`, async () => {
    const t = await openTestDb(kind, DIRS);
    try {
      const g = generate();
      await load(t.db, g);
      const from = '2026-10-01';
      const to = '2026-10-31';
      await refreshAggregates(t.db, { from: '2026-09-01', to: '2026-11-30' });
      for (const [area, inArea] of [
        [{}, () => true],
        [{ province: '01' }, (m: string) => m.startsWith('01')],
        [{ province: '01', district: '002' }, (m: string) => m === '01003' || m === '01004'],
        [{ macskcb: '79001' }, (m: string) => m === '79001'],
      ] as const) {
        const e = expected(g, from, to, inArea);
        const d = await dashboard(t.db, { area, period: { month: '2026-10' } });
        const k = Object.fromEntries(d.kpis.map((x) => [x.key, x]));
        const label = JSON.stringify(area);
        assert.ok(e.dossiers > 0 || label.includes('002'), `${label}: dataset has dossiers`);
        assert.equal(k.dossiers.received, e.dossiers, `${label} dossiers`);
        assert.equal(d.totals.replacements, e.replacements, `${label} replacements`);
        assert.equal(k.dossiers.expected, e.checkins || null, `${label} dossiers expected = check-ins`);
        assert.equal(k.timeliness.expected, e.timed, `${label} timed`);
        assert.equal(k.timeliness.received, e.onTime, `${label} on time`);
        assert.equal(d.latency[0].count, e.lat15, `${label} ≤15 min`);
        assert.equal(d.latency[5].count, e.latMore, `${label} >3 days`);
        assert.equal(d.latency.reduce((a, b) => a + b.count, 0), e.timed, `${label} histogram sums to timed`);
        assert.equal(k.signed.expected, e.packages, `${label} packages`);
        assert.equal(k.signed.received, e.signed, `${label} signed`);
        assert.equal(k.rejections.received, e.rejected, `${label} rejected`);
        assert.equal(k.referrals.expected, e.referralExpected, `${label} referrals expected`);
        assert.equal(k.referrals.received, e.referralSent, `${label} referrals sent`);
        assert.equal(k.appointments.expected, e.apptExpected, `${label} appointments expected`);
        assert.equal(k.appointments.received, e.apptSent, `${label} appointments sent`);
        assert.equal(k.labResults.expected, e.labExpected, `${label} labs expected`);
        assert.equal(k.labResults.received, e.labSent, `${label} labs sent`);
        assert.equal(k.births.received, e.births, `${label} births`);
        assert.equal(k.deaths.expected, e.deaths, `${label} deaths`);
        assert.equal(k.checkinCccd.expected, e.checkins, `${label} checkins`);
        assert.equal(k.checkinCccd.received, e.cccd, `${label} cccd`);
        assert.equal(k.vneid.received, e.vneid, `${label} vneid`);
        assert.equal(d.totals.checkins_matched, e.matched, `${label} check-ins answered by a dossier`);
        if (e.checkins) assert.equal(k.vneid.rate, e.vneid / e.checkins, `${label} vneid rate`);
        assert.equal(k.vneid.target, 0.8);
        assert.equal(k.share24h.expected, e.shares, `${label} shares`);
        assert.equal(k.share24h.received, e.breaches, `${label} 24 h breaches`);
        assert.equal(k.facilities.received, e.sending, `${label} facilities sending`);
        assert.deepEqual(
          Object.fromEntries(d.topReasons.map((x) => [x.code, x.packages])),
          Object.fromEntries([...e.reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10)),
          `${label} rejection reasons`,
        );
        // series sum to the totals
        assert.equal(d.series.reduce((a, p) => a + p.dossiers, 0), e.dossiers, `${label} series`);
      }
      // periods that cut months: whole months come from the month roll-up, edge days from day cells
      for (const [pf, pt] of [['2026-10-05', '2026-10-20'], ['2026-09-15', '2026-11-01'], ['2026-09-30', '2026-10-31'], ['2026-10-01', '2026-11-30']]) {
        for (const [area, inArea] of [[{}, () => true], [{ province: '79' }, (m: string) => m.startsWith('79')]] as const) {
          const e = expected(g, pf, pt, inArea);
          const d = await dashboard(t.db, { area, period: { from: pf, to: pt }, laggards: false });
          const label = `${pf}..${pt} ${JSON.stringify(area)}`;
          assert.equal(d.totals.dossiers, e.dossiers, `${label} dossiers`);
          assert.equal(d.totals.checkins_vneid, e.vneid, `${label} vneid`);
          assert.equal(d.totals.packages_signed, e.signed, `${label} signed`);
          assert.equal(d.totals.share_breaches, e.breaches, `${label} breaches`);
          assert.equal(d.series.reduce((a, x) => a + x.dossiers, 0), e.dossiers, `${label} series (${d.granularity})`);
          assert.equal(d.breakdown.reduce((a, x) => a + x.totals.checkins, 0), e.checkins, `${label} breakdown`);
        }
      }

      // nation: expected facilities = all 8 active; breakdown by province sums to the nation
      const nation = await dashboard(t.db, { period: { from, to } });
      assert.equal(nation.kpis[0].expected, 8);
      assert.deepEqual(nation.breakdown.map((b) => b.code), ['01', '48', '79']);
      assert.equal(nation.breakdown.reduce((a, b) => a + b.totals.dossiers, 0), nation.totals.dossiers);
      // monthly series for a longer period
      const q = await dashboard(t.db, { period: { from: '2026-09-01', to: '2026-11-30' } });
      assert.equal(q.granularity, 'month');
      assert.deepEqual(q.series.map((s) => s.period), ['2026-09', '2026-10', '2026-11']);

      // laggards: the silent facility and the expired certificate, each with its reason
      const lag = await laggards(t.db, { province: '01' }, { from, to });
      const silent = lag.find((l) => l.macskcb === '01004');
      assert.ok(silent, 'silent facility lags');
      assert.ok(silent.reasons.some((r) => r.code === 'no_data'));
      assert.ok(silent.reasons.some((r) => r.code === 'no_certificate'));
      const expired = lag.find((l) => l.macskcb === '01003');
      assert.ok(expired?.reasons.some((r) => r.code === 'certificate_expired'));
      for (const l of lag) {
        const e = expected(g, from, to, (m) => m === l.macskcb);
        const hasLate = l.reasons.some((r) => r.code === 'late');
        assert.equal(hasLate, e.timed > 0 && e.onTime / e.timed < 0.9, `${l.macskcb} late reason`);
        assert.equal(l.reasons.some((r) => r.code === 'unsigned'), e.packages > e.signed, `${l.macskcb} unsigned reason`);
      }

      // the on-time limit is a setting: a new limit applies after a refresh
      await setSettings(t.db, { onTimeMinutes: 60 });
      await refreshAggregates(t.db, { from, to });
      const d60 = await dashboard(t.db, { period: { month: '2026-10' }, laggards: false });
      assert.equal(d60.kpis.find((x) => x.key === 'timeliness')!.received, expected(g, from, to, () => true, 60).onTime);

      // charts render as accessible SVG
      for (const spec of Object.values(dashboardCharts(nation))) {
        const svg = renderChart(spec);
        assert.match(svg, /^<svg [^>]*role="img"/);
        assert.match(svg, /<title id="[^"]+">[^<]+<\/title><desc/);
      }
    } finally {
      await t.cleanup();
    }
  });

  test(`outbox consumers mark cells dirty; refreshDirty recomputes only those (${kind})`, async () => {
    const t = await openTestDb(kind, DIRS);
    try {
      const g = generate(11);
      await load(t.db, g);
      // nothing aggregated yet
      const before = await dashboard(t.db, { period: { month: '2026-10' }, laggards: false });
      assert.equal(before.totals.dossiers, 0);
      const ids = (await t.db.query<{ id: number }>(`SELECT id FROM dossier ORDER BY id`)).rows;
      const cks = (await t.db.query<{ id: number }>(`SELECT id FROM checkin ORDER BY id`)).rows;
      await t.db.transaction(async (tx) => {
        for (const r of ids) await markDirty(tx, 'dossier.accepted', { dossierId: r.id });
        for (const r of cks) await markDirty(tx, 'checkin.received', { checkinId: r.id });
        await markDirty(tx, 'dossier.accepted', { dossierId: 'not a number' });
      });
      assert.ok((await refreshDirty(t.db)) > 0);
      assert.equal((await t.db.query(`SELECT count(*)::int AS n FROM mon_dirty`)).rows[0].n, 0);
      const e = expected(g, '2026-10-01', '2026-10-31', () => true);
      const after = await dashboard(t.db, { period: { month: '2026-10' }, laggards: false });
      assert.equal(after.totals.dossiers, e.dossiers);
      assert.equal(after.totals.checkins, e.checkins);
      assert.equal(after.totals.checkins_matched, e.matched);
      assert.equal(after.totals.referral_sent, e.referralSent);
    } finally {
      await t.cleanup();
    }
  });
}

test('bad periods and areas are refused with MON_ codes', async () => {
  const t = await openTestDb('pglite', DIRS);
  try {
    await assert.rejects(dashboard(t.db, { period: { from: '2026-10-05', to: '2026-10-01' } }), (e: any) => e.problems[0].code === 'MON_BAD_PERIOD');
    await assert.rejects(dashboard(t.db, { period: '2026-13' }), (e: any) => e.problems[0].code === 'MON_BAD_PERIOD');
    await assert.rejects(dashboard(t.db, { period: { from: '2000-01-01', to: '2026-01-01' } }), (e: any) => e.problems[0].code === 'MON_BAD_PERIOD');
    await assert.rejects(dashboard(t.db, { area: { province: "01'; --" }, period: '2026-10' }), (e: any) => e.problems[0].code === 'MON_BAD_AREA');
    await assert.rejects(dashboard(t.db, { area: { district: '001' }, period: '2026-10' }), (e: any) => e.problems[0].code === 'MON_BAD_AREA');
    assert.throws(() => renderChart({ type: 'pie' as any, title: 'x', labels: [], series: [] }), (e: any) => e.problems[0].code === 'MON_BAD_CHART');
    await assert.rejects(setSettings(t.db, { vneidTarget: 2 }), (e: any) => e.problems[0].code === 'MON_BAD_SETTING');
  } finally {
    await t.cleanup();
  }
});
