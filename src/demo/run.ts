// The one-command demo (`ssk demo`): a gateway on the embedded database, a synthetic province
// provisioned on it (facility accounts, dev-CA certificates, API tokens, sign-ins), and generated
// visits sent in real time — some through connectors watching an intake folder, the rest
// directly — with a progress line. Modules built in parallel are loaded when present; a missing
// one is named plainly and the demo goes on without it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { buildPackage, buildCheckIn } from '../standard/index.ts';
import { startGateway, addFacility, issueToken, registerCertificate, getFacility, type RunningGateway } from '../gateway/index.ts';
import { generateProvince, EncounterGenerator, facilitiesCsv, practitionersCsv, type Province, type Encounter, type Facility } from './generator.ts';

type Mod = Record<string, any>;
const SRC = join(import.meta.dirname, '..');

/** The public surface of src/<name>/index.ts, or null when that module is not present (yet). */
export async function optionalModule(name: string): Promise<Mod | null> {
  const file = join(SRC, name, 'index.ts');
  if (!existsSync(file)) return null;
  try {
    return (await import(pathToFileURL(file).href)) as Mod;
  } catch (e) {
    process.emitWarning(`demo: module ${name} failed to load: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

export interface DemoOptions {
  /** Working directory of the demo (database, state, connector folders). Default .ssk/demo. */
  dir?: string;
  port?: number;
  host?: string;
  seed?: number;
  /** Districts of the province on its first run (default 4; fewer = fewer facilities). */
  districts?: number;
  /** Send this many dossiers, wait for the book, and stop (for tests and CI). */
  once?: number;
  /** Dossiers per second offered while running (default 2). */
  rate?: number;
  /** Facilities that send through a connector (default 2; 0 = all direct). */
  connectors?: number;
  /** Lines for a person (default: stdout). */
  out?: (line: string) => void;
  /** Progress line on stderr (default: when stderr is a TTY). */
  progress?: boolean;
}

interface FacilityState {
  token: string;
  keyPem: string;
  certPem: string;
  username: string;
  password: string;
}

interface DemoState {
  seed: number;
  districts?: number;
  serial: number;
  operatorToken: string;
  facilities: Record<string, FacilityState>;
  /** A citizen whose book has entries (the first accepted visit). */
  citizen?: string;
  staff?: { facility?: { username: string; password: string; macskcb: string }; officer?: { username: string; password: string } };
}

export interface DemoStats {
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  checkins: number;
  viaConnector: number;
  bookEntries: number;
}

export interface RunningDemo {
  url: string;
  province: Province;
  stats: DemoStats;
  /** What is not available in this build, in plain words. */
  missing: string[];
  /** Send n more dossiers now (direct or through connectors). */
  send(n: number): Promise<void>;
  /** Wait until the health book has projected what was accepted (or the timeout passes). */
  settle(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const say = (o: DemoOptions) => o.out ?? ((l: string) => process.stdout.write(l + '\n'));

export async function startDemo(o: DemoOptions = {}): Promise<RunningDemo> {
  const out = say(o);
  const dir = resolve(o.dir ?? '.ssk/demo');
  mkdirSync(dir, { recursive: true });
  const stateFile = join(dir, 'state.json');
  const state: DemoState = existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState)
    : { seed: o.seed ?? 79, districts: o.districts ?? 4, serial: 0, operatorToken: randomBytes(16).toString('hex'), facilities: {} };
  const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 1), { mode: 0o600 });
  const missing: string[] = [];

  const province = generateProvince({ seed: state.seed, code: '79', citizens: 300, districts: state.districts });
  const gen = new EncounterGenerator(province, state.seed + state.serial);
  out(`Tỉnh/thành mô phỏng / synthetic province: ${province.name} (${province.code}) — ${province.facilities.length} cơ sở/facilities, ${province.practitioners.length} người hành nghề/practitioners, ${province.citizens.length} công dân/citizens`);

  const gw: RunningGateway = await startGateway({
    dataDir: join(dir, 'data'),
    port: o.port ?? 8130,
    host: o.host ?? '127.0.0.1',
    config: { operatorToken: state.operatorToken, logger: false },
  });
  const db = gw.db;
  const closers: (() => Promise<void>)[] = [];
  try {
    writeFileSync(join(dir, 'facilities.csv'), facilitiesCsv(province));
    writeFileSync(join(dir, 'practitioners.csv'), practitionersCsv(province));

    // Registry: facilities and practitioners from the CSVs.
    const registry = await optionalModule('registry');
    if (registry?.importCsv) {
      try {
        const a = (await registry.importCsv(db, 'facility', facilitiesCsv(province))) as { problems: unknown[] };
        const b = (await registry.importCsv(db, 'practitioner', practitionersCsv(province))) as { problems: unknown[] };
        if (a.problems.length || b.problems.length) missing.push(`registry import reported problems: ${JSON.stringify([...a.problems, ...b.problems].slice(0, 2))}`);
      } catch (e) {
        missing.push(`registry import failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else missing.push('sổ đăng ký cơ sở (src/registry) chưa có / facility registry import not available yet — CSVs written to ' + dir);

    // Signature: the dev CA and each facility's certificate.
    const sig = await optionalModule('signature');
    const signers = new Map<string, unknown>();
    if (!sig) missing.push('chữ ký số (src/signature) chưa có / signing not available yet: packages cannot be signed, nothing is sent');
    let ca: unknown;
    if (sig && province.facilities.some((f) => !state.facilities[f.macskcb])) ca = await sig.createDevCa();
    const provision = async (f: Facility) => {
      let fs = state.facilities[f.macskcb];
      if (!fs && sig) {
        const c = (await sig.issueFacilityCertificate(ca, f.macskcb, f.name)) as { keyPem: string; certPem: string };
        const password = randomBytes(6).toString('hex');
        const username = `${f.macskcb}_BV`;
        if (!(await getFacility(db, f.macskcb))) await addFacility(db, { macskcb: f.macskcb, name: f.name, province: province.code, username, password });
        const { token } = await issueToken(db, f.macskcb, { name: 'demo' });
        await registerCertificate(db, f.macskcb, c.certPem);
        fs = state.facilities[f.macskcb] = { token, keyPem: c.keyPem, certPem: c.certPem, username, password };
      }
      if (fs && sig) signers.set(f.macskcb, await sig.signerFromPem(fs.keyPem, fs.certPem));
    };
    // A few at a time: password hashing runs on the thread pool while the next key is made.
    for (let i = 0; i < province.facilities.length; i += 4) await Promise.all(province.facilities.slice(i, i + 4).map(provision));
    save();

    // Sign-ins: staff of a facility and an officer of the health department (identity module).
    const identity = await optionalModule('access/identity');
    const mainFacility = province.facilities.find((f) => f.level === 'provincial')!;
    if (identity) {
      const create = identity.createStaffAccount ?? identity.createStaff ?? identity.addStaff;
      if (create && !state.staff) {
        try {
          const fpw = randomBytes(6).toString('hex');
          const opw = randomBytes(6).toString('hex');
          await create(db, { username: `nv.${mainFacility.macskcb}`, password: fpw, role: 'facility', macskcb: mainFacility.macskcb, name: 'Nhân viên cơ sở (demo)' });
          await create(db, { username: `syt.${province.code}`, password: opw, role: 'officer', province: province.code, name: 'Cán bộ Sở Y tế (demo)' });
          state.staff = { facility: { username: `nv.${mainFacility.macskcb}`, password: fpw, macskcb: mainFacility.macskcb }, officer: { username: `syt.${province.code}`, password: opw } };
          save();
        } catch (e) {
          missing.push(`staff accounts could not be created: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else if (!create) missing.push('tài khoản cán bộ (src/access/identity) chưa hỗ trợ / staff accounts not available yet');
    } else missing.push('đăng nhập (src/access/identity) chưa có / sign-in (identity provider, sessions) not available yet');

    // Connectors for a few facilities: generated dossiers dropped into their intake folders.
    const connectorMod = await optionalModule('connector');
    const connectorFacilities = province.facilities.filter((f) => f.level === 'district').slice(0, o.connectors ?? 2);
    const intake = new Map<string, string>();
    if (connectorMod?.startConnector && sig) {
      await Promise.all(connectorFacilities.map(async (f) => {
        const fs = state.facilities[f.macskcb];
        const cdir = join(dir, 'connectors', f.macskcb);
        try {
          mkdirSync(cdir, { recursive: true });
          writeFileSync(join(cdir, 'facility.key.pem'), fs.keyPem, { mode: 0o600 });
          writeFileSync(join(cdir, 'facility.cert.pem'), fs.certPem);
          const c = await connectorMod.startConnector({
            macskcb: f.macskcb,
            dataDir: cdir,
            target: { kind: 'sosuckhoe', url: gw.url, token: fs.token },
            signer: { kind: 'pem', keyFile: join(cdir, 'facility.key.pem'), certFile: join(cdir, 'facility.cert.pem') },
            http: { host: '127.0.0.1', port: 0 },
            pollMs: 200,
            stableMs: 200,
            retry: { baseMs: 200, maxMs: 5000 },
          });
          const folder = (c.inbox ?? c.config?.inbox ?? c.folders?.inbox ?? join(cdir, 'inbox')) as string;
          mkdirSync(folder, { recursive: true });
          intake.set(f.macskcb, folder);
          closers.push(() => (c.close ?? c.stop).call(c));
        } catch (e) {
          missing.push(`connector ${f.macskcb} did not start: ${e instanceof Error ? e.message : String(e)}`);
        }
      }));
    } else if (!connectorMod) missing.push('bộ kết nối (src/connector) chưa có / connector not available yet: every facility sends directly');

    for (const m of missing) out(`  ⚠ ${m}`);

    const stats: DemoStats = { sent: 0, accepted: 0, rejected: 0, failed: 0, checkins: 0, viaConnector: 0, bookEntries: 0 };
    const post = async (path: string, body: Uint8Array, token: string) => {
      const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, body });
      const text = await r.text();
      let json: any = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, json };
    };
    const sendOne = async (e: Encounter) => {
      const fs = state.facilities[e.macskcb];
      const signer = signers.get(e.macskcb);
      if (!fs || !signer || !sig) return;
      const folder = intake.get(e.macskcb);
      const pkgBytes = buildPackage({ macskcb: e.macskcb, ngayLap: e.end ? e.dossier.tables.XML1![0].NGAY_RA.slice(0, 8) : '', dossiers: [e.dossier] });
      stats.sent++;
      if (folder) {
        // The HIS drops the unsigned export; the connector validates, signs and sends it.
        // Written beside the inbox, then renamed in: the connector never sees a half-written file.
        const tmp = join(folder, '..', `.${e.maLk}.xml.tmp`);
        writeFileSync(tmp, pkgBytes);
        renameSync(tmp, join(folder, `${e.maLk}.xml`));
        stats.viaConnector++;
        return;
      }
      try {
        const ci = await post('/api/v1/checkins', await sig.signXml(buildCheckIn(e.macskcb, [e.checkin]), signer), fs.token);
        if (ci.status === 200) stats.checkins++;
        const r = await post('/api/v1/packages', await sig.signXml(pkgBytes, signer), fs.token);
        if (r.status === 200 && r.json?.status === 'accepted') {
          stats.accepted++;
          if (!state.citizen) {
            state.citizen = e.personalId;
            save();
          }
        } else if (r.status === 200) stats.rejected++;
        else stats.failed++;
      } catch {
        stats.failed++;
      }
    };
    const pickFacility = (): Facility | undefined => {
      // One in four visits happens at a connector facility when there are connectors.
      if (intake.size && gen.r.chance(0.25)) {
        const mac = [...intake.keys()][Math.floor(gen.r.next() * intake.size)];
        return province.facilities.find((f) => f.macskcb === mac);
      }
      return undefined;
    };
    const send = async (n: number) => {
      const batch: Encounter[] = [];
      for (let i = 0; i < n; i++) {
        state.serial++;
        batch.push(gen.next({ serial: state.serial, facility: pickFacility(), end: new Date(Date.now() - gen.r.int(1, 30) * 60_000) }));
      }
      save();
      // A few at a time, as facilities finish visits.
      const lanes = 4;
      let k = 0;
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (k < batch.length) await sendOne(batch[k++]);
        }),
      );
    };
    const bookCount = async (): Promise<number> => {
      try {
        const r = await db.query<{ n: string }>(`SELECT count(DISTINCT dossier_id)::text AS n FROM book_entry`);
        return Number(r.rows[0].n);
      } catch {
        return 0;
      }
    };
    const viaConnectorAccepted = async (): Promise<number> => {
      if (!intake.size) return 0;
      const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM dossier WHERE macskcb = ANY($1::text[])`, [[...intake.keys()]]);
      return Number(r.rows[0].n);
    };
    return {
      url: gw.url,
      province,
      stats,
      missing,
      send,
      async settle(timeoutMs = 60_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          stats.bookEntries = await bookCount();
          const viaC = await viaConnectorAccepted();
          const want = stats.accepted + stats.viaConnector;
          const have = (await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM dossier`)).rows[0].n;
          if (viaC >= stats.viaConnector && Number(have) >= want && stats.bookEntries >= Number(have)) return true;
          if (Date.now() > until) return false;
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      async close() {
        for (const c of closers.reverse()) await c().catch(() => {});
        await gw.close();
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => {});
    await gw.close();
    throw e;
  }
}

/** Sign-in lines for a person: a citizen, a facility and an officer. */
export function signInLines(d: RunningDemo, dir: string): string[] {
  const stateFile = join(resolve(dir), 'state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
  const fac = d.province.facilities.find((f) => f.level === 'provincial')!;
  const fs = state.facilities[fac.macskcb];
  const cit = d.province.citizens.find((c) => c.personalId === state.citizen) ?? d.province.citizens[0];
  const lines = [
    `Cổng tiếp nhận / gateway:      ${d.url}   (OpenAPI: ${d.url}/openapi.json)`,
    `Công dân / citizen:            ${d.url}/cong-dan   — đăng nhập định danh (dev OIDC) với số định danh / sign in with personal ID ${cit.personalId}`,
    state.staff?.facility
      ? `Cơ sở / facility portal:       ${d.url}/co-so   — ${state.staff.facility.username} / ${state.staff.facility.password} (${fac.name})`
      : `Cơ sở / facility portal:       ${d.url}/co-so`,
    fs ? `  API cơ sở / facility API:    ${fac.macskcb}: Bearer ${fs.token}   (cổng quốc gia / national facade: ${fs.username} / ${fs.password})` : '',
    state.staff?.officer ? `Sở Y tế / health department:  ${d.url}/so-y-te   — ${state.staff.officer.username} / ${state.staff.officer.password}` : `Sở Y tế / health department:  ${d.url}/so-y-te`,
    `Quản trị / operator token:     ${state.operatorToken}`,
  ];
  return lines.filter(Boolean);
}
