import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dbKinds, openTestDb } from '../store/testing.ts';
import { drain, startWorker } from '../store/index.ts';
import { grantConsent, claimConsent, revokeConsent, auditFor, type Actor } from '../access/index.ts';
import { isProblemError } from '../errors/index.ts';
import { handlers, entriesOf, getBook, recentResults, pullFeed, createFeedClient, feedClientFor, slaReport, getEntry } from './index.ts';
import { acceptDossier, acceptDossiers, fullDossier, person } from './testing.ts';

const dirs = [join(import.meta.dirname, 'migrations'), join(import.meta.dirname, '..', 'access', 'migrations')];
const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isProblemError(e)) return e.problems[0].code;
    throw e;
  }
  return 'OK';
};

for (const kind of dbKinds()) {
  describe(`health book on ${kind}`, () => {
    test('every table is projected; replacement updates the book and keeps history; audit on every read', async () => {
      const t = await openTestDb(kind, dirs);
      try {
        const db = t.db;
        const p = person(1);
        const tables = fullDossier(p, { maLk: 'LK-A1' });
        const { dossierId } = await acceptDossier(db, tables);
        assert.equal(await drain(db, handlers), 1);
        const me: Actor = { role: 'citizen', sub: p.personalId };
        const book = await getBook(db, me, p.personalId);
        const kinds = new Set(book.entries.map((e) => e.kind));
        for (const k of ['admin', 'visit', 'diagnosis', 'medication', 'service', 'lab_result', 'imaging_result', 'clinical_note', 'hiv_care', 'discharge', 'summary', 'birth_certificate', 'pregnancy_leave', 'sick_leave', 'referral', 'appointment', 'tb_treatment']) {
          assert.ok(kinds.has(k as any), `kind ${k} projected`);
        }
        const bySource = new Map<string, number>();
        for (const e of book.entries) bySource.set(e.sourceTable, (bySource.get(e.sourceTable) ?? 0) + 1);
        for (const [table, rows] of Object.entries(tables)) if (table !== 'XML1') assert.equal(bySource.get(table), rows.length, `${table} rows → entries`);
        const dx = book.entries.filter((e) => e.kind === 'diagnosis').map((e) => e.data.code);
        assert.deepEqual(dx.sort(), ['I10', 'J15.9']);
        const i10 = book.entries.find((e) => e.kind === 'diagnosis' && e.data.code === 'I10')!;
        assert.equal(i10.data.name, 'Tăng huyết áp vô căn');
        assert.ok(i10.data.icdName.length > 0, 'ICD-10 name from the standard');
        const lab = book.entries.find((e) => e.kind === 'lab_result')!;
        assert.equal(lab.data.GIA_TRI, '14.2');
        assert.equal(lab.occurredAt!.toISOString(), '2026-11-01T03:00:00.000Z');
        assert.equal(book.person?.fullName, p.name);
        assert.deepEqual(book.person?.bhytCards, [p.card]);

        // replacement: version 2 with another lab value
        const v2 = fullDossier(p, { maLk: 'LK-A1', labValue: '9.1' });
        await acceptDossier(db, v2, { version: 2, replacesId: dossierId });
        await drain(db, handlers);
        const after = await getBook(db, me, p.personalId, { kinds: ['lab_result'] });
        assert.deepEqual(after.entries.map((e) => e.data.GIA_TRI), ['9.1']);
        assert.equal(after.entries[0].version, 2);
        const hist = await getBook(db, me, p.personalId, { kinds: ['lab_result'], history: true });
        assert.deepEqual(hist.entries.map((e) => e.data.GIA_TRI).sort(), ['14.2', '9.1']);

        // the projection is idempotent: re-delivering the event adds nothing
        const before = (await db.query(`SELECT count(*)::int AS n FROM book_entry`)).rows[0].n;
        await db.transaction((tx) => handlers['healthbook.project']({ id: 0, consumer: 'healthbook.project', topic: 'dossier.accepted', payload: { dossierId }, created_at: new Date(), attempts: 1 }, tx));
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM book_entry`)).rows[0].n, before);

        // feed: new entries, then retracted + changed
        const client = await createFeedClient(db, 'vneid');
        const feedActor = (await feedClientFor(db, client.token))!;
        const page = await pullFeed(db, feedActor, { limit: 2000 });
        const changes = new Set(page.items.map((i) => i.change));
        assert.deepEqual([...changes].sort(), ['changed', 'new', 'retracted']);
        assert.ok(page.items.every((i) => i.latencyMs >= 0));
        const next = await pullFeed(db, feedActor, { cursor: page.nextCursor });
        assert.equal(next.items.length, 0);
        const sla = await slaReport(db);
        assert.equal(sla.breaches.length, 0, JSON.stringify(sla.breaches[0]));
        assert.ok(sla.published > 0);

        // another citizen cannot read it
        assert.equal(await code(getBook(db, { role: 'citizen', sub: person(2).personalId }, p.personalId)), 'ACC_NOT_OWN_BOOK');
        const audit = await auditFor(db, p.personalId);
        // 3 own reads + feed page (1 row for this person) + refused read
        assert.equal(audit.filter((a) => a.action === 'read-book').length, 4);
        assert.equal(audit.filter((a) => a.outcome === 'refused').length, 1);
        assert.equal(audit.filter((a) => a.action === 'feed').length, 1);
      } finally {
        await t.cleanup();
      }
    });

    test('catch-up under load: one handler call projects the ready backlog in a batch, same result as one by one', async () => {
      const t = await openTestDb(kind, dirs);
      try {
        const db = t.db;
        const ids: number[] = [];
        for (let i = 0; i < 25; i++) ids.push((await acceptDossier(db, fullDossier(person(100 + i), { maLk: `LK-BATCH-${i}` }))).dossierId);
        const noId = fullDossier(person(200), { maLk: 'LK-NOID' });
        noId.XML1[0].SO_CCCD = '';
        await acceptDossier(db, noId);
        // two versions of one dossier inside the same backlog: the newer must win
        const v1 = fullDossier(person(201), { maLk: 'LK-V' });
        const first = await acceptDossier(db, v1);
        await acceptDossier(db, fullDossier(person(201), { maLk: 'LK-V', labValue: '5.5' }), { version: 2, replacesId: first.dossierId });
        const rows = (await db.query(`SELECT * FROM outbox WHERE consumer = 'healthbook.project' ORDER BY id`)).rows;
        assert.equal(rows.length, 28);
        await db.transaction(async (tx) => {
          await handlers['healthbook.project'](rows[0] as any, tx);
          await tx.query(`DELETE FROM outbox WHERE id = $1`, [rows[0].id]);
        });
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM outbox WHERE consumer = 'healthbook.project'`)).rows[0].n, 0);
        const perDossier = (await db.query(`SELECT dossier_id, count(*)::int AS n FROM book_entry GROUP BY dossier_id`)).rows;
        const expected = entriesOf(fullDossier(person(100), { maLk: 'x' }) as any, '79001').length;
        for (const id of ids) assert.equal(perDossier.find((r) => r.dossier_id === id)?.n, expected);
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM book_unlinked`)).rows[0].n, 1);
        const lab = await getBook(db, { role: 'citizen', sub: person(201).personalId }, person(201).personalId, { kinds: ['lab_result'] });
        assert.deepEqual(lab.entries.map((e) => e.data.GIA_TRI), ['5.5']);
        const feed = (await db.query(`SELECT count(*)::int AS n FROM book_feed`)).rows[0].n;
        assert.equal(feed, (await db.query(`SELECT count(*)::int AS n FROM book_entry`)).rows[0].n + expected, 'every entry published once, plus the retractions of version 1');
        const people = (await db.query(`SELECT count(*)::int AS n FROM book_person`)).rows[0].n;
        assert.equal(people, 26);
      } finally {
        await t.cleanup();
      }
    });

    test('several workers side by side: each dossier projected once, the newest version current', async () => {
      const t = await openTestDb(kind, dirs);
      try {
        const db = t.db;
        const pv = person(300);
        const v1 = await acceptDossier(db, fullDossier(pv, { maLk: 'LK-RACE' }));
        await acceptDossier(db, fullDossier(pv, { maLk: 'LK-RACE', labValue: '2.2' }), { version: 2, replacesId: v1.dossierId });
        for (let i = 0; i < 12; i++) await acceptDossier(db, fullDossier(person(310 + i), { maLk: `LK-W-${i}` }));
        const workers = [1, 2, 3].map(() => startWorker(db, handlers, { intervalMs: 5, batch: 3 }));
        for (let i = 0; i < 400; i++) {
          if (!(await db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await Promise.all(workers.map((w) => w.stop()));
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, 0);
        const per = (await db.query(`SELECT dossier_id, count(*)::int AS n FROM book_entry GROUP BY dossier_id`)).rows;
        assert.equal(per.length, 14);
        const expected = entriesOf(fullDossier(pv, { maLk: 'x' }) as any, '79001').length;
        assert.ok(per.every((r) => r.n === expected), 'no dossier projected twice');
        const cur = (await db.query(`SELECT DISTINCT version FROM book_entry WHERE ma_lk = 'LK-RACE' AND current`)).rows;
        assert.deepEqual(cur, [{ version: 2 }]);
      } finally {
        await t.cleanup();
      }
    });

    test('consent enforced at every read: none, expired, revoked, out of scope → refused; each read audited', async () => {
      const t = await openTestDb(kind, dirs);
      try {
        const db = t.db;
        const p = person(3);
        await acceptDossier(db, fullDossier(p, { macskcb: '79001', maLk: 'LK-B1' }));
        await acceptDossier(db, fullDossier(p, { macskcb: '79003', maLk: 'LK-B2', start: '202611200800', end: '202611201000' }));
        await drain(db, handlers);
        const citizen: Actor = { role: 'citizen', sub: p.personalId };
        const doctor: Actor = { role: 'doctor', sub: 'doc-1', licence: '001234/HCM-CCHN', macskcb: '79002' };
        const other: Actor = { role: 'doctor', sub: 'doc-2', licence: '009999/HCM-CCHN', macskcb: '79004' };

        assert.equal(await code(getBook(db, doctor, p.personalId)), 'ACC_NO_CONSENT');

        const g = await grantConsent(db, citizen, { grantee: { kind: 'facility', macskcb: '79002' }, purpose: 'Khám bệnh', minutes: 60, scope: { kind: 'kinds', kinds: ['lab_result', 'imaging_result', 'diagnosis'] } });
        assert.equal(await code(getBook(db, doctor, p.personalId)), 'ACC_NO_CONSENT', 'not yet presented');
        assert.equal(await code(claimConsent(db, other, g.code)), 'ACC_CONSENT_GRANTEE');
        const claimed = await claimConsent(db, doctor, g.qrText);
        assert.equal(claimed.status, 'active');
        assert.equal(await code(claimConsent(db, doctor, g.code)), 'ACC_CONSENT_CODE', 'one-time');

        const book = await getBook(db, doctor, p.personalId, { purpose: 'Khám bệnh' });
        assert.ok(book.entries.length > 0);
        assert.ok(book.entries.every((e) => ['lab_result', 'imaging_result', 'diagnosis'].includes(e.kind)));
        assert.equal(book.consentId, g.consent.id);
        assert.equal(await code(getBook(db, doctor, p.personalId, { kinds: ['medication'] })), 'ACC_CONSENT_SCOPE');
        assert.equal(await code(getBook(db, other, p.personalId)), 'ACC_NO_CONSENT');
        const med = book.entries.length ? (await db.query(`SELECT id FROM book_entry WHERE kind = 'medication' LIMIT 1`)).rows[0].id : 0;
        assert.equal(await code(getEntry(db, doctor, med)), 'ACC_CONSENT_SCOPE');

        // recent results elsewhere: results from other facilities (79001, 79003), last N days
        const recent = await recentResults(db, { ...doctor }, p.personalId, { days: 3650 });
        assert.ok(recent.length >= 4);
        assert.ok(recent.every((e) => e.macskcb !== '79002' && (e.kind === 'lab_result' || e.kind === 'imaging_result')));

        // revoked
        await revokeConsent(db, citizen, g.consent.id);
        assert.equal(await code(getBook(db, doctor, p.personalId)), 'ACC_CONSENT_REVOKED');

        // expired: checked at read time, not at issue
        const g2 = await grantConsent(db, citizen, { grantee: { kind: 'doctor', licence: other.licence! }, purpose: 'Tư vấn', minutes: 60, scope: { kind: 'since', since: new Date('2026-11-15T00:00:00Z') } });
        await claimConsent(db, other, g2.code);
        const scoped = await getBook(db, other, p.personalId);
        assert.ok(scoped.entries.length > 0 && scoped.entries.every((e) => e.occurredAt! >= new Date('2026-11-15T00:00:00Z')));
        assert.ok(!scoped.entries.some((e) => e.kind === 'hiv_care'), 'sensitive kinds only when named');
        assert.equal(await code(getBook(db, other, p.personalId, { since: new Date('2026-01-01') })), 'ACC_CONSENT_SCOPE');
        await db.query(`UPDATE consent_grant SET expires_at = now() - interval '1 second' WHERE id = $1`, [g2.consent.id]);
        assert.equal(await code(getBook(db, other, p.personalId)), 'ACC_CONSENT_EXPIRED');

        // officers and operators have no right to read books
        assert.equal(await code(getBook(db, { role: 'officer', sub: 'so-79' }, p.personalId)), 'ACC_FORBIDDEN_ROLE');

        const audit = await auditFor(db, p.personalId);
        const reads = audit.filter((a) => a.action === 'read-book' || a.action === 'recent-results' || a.action === 'read-entry');
        assert.equal(reads.length, 12);
        assert.equal(reads.filter((a) => a.outcome === 'allowed').length, 3);
        assert.ok(reads.filter((a) => a.outcome === 'refused').every((a) => a.reason));
        assert.ok(audit.some((a) => a.actorId === doctor.licence && a.purpose === 'Khám bệnh' && a.consentId === g.consent.id));
      } finally {
        await t.cleanup();
      }
    });

    test('a read and its audit row are one statement: page order, person, truncation, entry count; group acceptance projects every dossier', async () => {
      const t = await openTestDb(kind, dirs);
      try {
        const db = t.db;
        const p = person(7);
        // Three visits accepted together (one transaction), projected by the worker.
        const visits = ['202601050800', '202603050800', '202602050800'].map((start, i) => fullDossier(p, { maLk: `LK-G${i}`, start, end: start }));
        const acc = await acceptDossiers(db, visits);
        assert.equal(new Set(acc.map((a) => a.dossierId)).size, 3);
        await drain(db, handlers);
        assert.equal(Number((await db.query(`SELECT count(*) AS n FROM outbox`)).rows[0].n), 0);
        const me: Actor = { role: 'citizen', sub: p.personalId };
        const all = await getBook(db, me, p.personalId, { limit: 5000 });
        assert.equal(new Set(all.entries.map((e) => e.maLk)).size, 3);
        assert.equal(all.person?.fullName, p.name);
        assert.deepEqual(all.person?.bhytCards, [p.card]);
        assert.equal(all.truncated, false);
        // Newest first, undated last, ties by id descending.
        for (let i = 1; i < all.entries.length; i++) {
          const a = all.entries[i - 1];
          const b = all.entries[i];
          const ta = a.occurredAt?.getTime() ?? -Infinity;
          const tb = b.occurredAt?.getTime() ?? -Infinity;
          assert.ok(ta > tb || (ta === tb && a.id > b.id), `entry ${i} out of order`);
        }
        const page = await getBook(db, me, p.personalId, { limit: 5, kinds: ['lab_result'] });
        assert.equal(page.entries.length, all.entries.filter((e) => e.kind === 'lab_result').slice(0, 5).length);
        const small = await getBook(db, me, p.personalId, { limit: 2 });
        assert.equal(small.entries.length, 2);
        assert.equal(small.truncated, true);
        assert.deepEqual(small.entries.map((e) => e.id), all.entries.slice(0, 2).map((e) => e.id));
        const audit = (await auditFor(db, p.personalId)).filter((a) => a.action === 'read-book');
        assert.deepEqual(audit.map((a) => a.entryCount), [2, page.entries.length, all.entries.length], 'one audit row per read, counting the entries returned');
        // Someone unknown to the book: no person, no entries, still audited.
        const nobody = await getBook(db, { role: 'citizen', sub: '079999999999' }, '079999999999');
        assert.equal(nobody.person, null);
        assert.equal(nobody.entries.length, 0);
        assert.equal((await auditFor(db, '079999999999')).length, 1);
      } finally {
        await t.cleanup();
      }
    });
  });
}
