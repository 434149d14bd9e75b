// Test aid for end-to-end tests of every module: a real gateway over HTTP on port 0, on a fresh
// database (PGlite, or PostgreSQL when asked and DATABASE_URL is set), with one facility account,
// an API token and a registered dev-CA signing certificate.
import { randomBytes } from 'node:crypto';
import { openTestDb, type DbKind } from '../store/testing.ts';
import { allMigrationDirs } from '../store/modules.ts';
import type { Db } from '../store/index.ts';
import { buildPackage, type Package } from '../standard/index.ts';
import { validPackage, type PackageOptions } from '../standard/testing.ts';
import { createDevCa, issueFacilityCertificate, signerFromPem, signXml, type Signer } from '../signature/index.ts';
import { startGateway, type RunningGateway } from './app.ts';
import { addFacility as addAccount, issueToken, registerCertificate } from './accounts.ts';
import type { GatewayConfig } from './config.ts';

export interface TestFacility {
  macskcb: string;
  /** Bearer API token (scopes submit, read). */
  token: string;
  signer: Signer;
  certPem: string;
  keyPem: string;
  /** National-facade login (token/take): username and clear password. */
  username: string;
  password: string;
}

export interface TestGateway {
  url: string;
  db: Db;
  app: RunningGateway['app'];
  kind: DbKind;
  /** Operator credential for /api/v1/admin. */
  operatorToken: string;
  facility: TestFacility;
  /** Another facility account with its own token and registered certificate. */
  addFacility(macskcb: string, name?: string): Promise<TestFacility>;
  /** A certificate of the same dev CA for `macskcb`, NOT registered on the gateway. */
  unregisteredSigner(macskcb: string): Promise<{ signer: Signer; certPem: string; keyPem: string }>;
  /** Sign bytes (a package, check-in or XML12 document) as a facility. */
  sign(bytes: Uint8Array, f?: TestFacility): Promise<Buffer>;
  /** Build and sign a valid package (src/standard fixtures) for a facility. */
  signedPackage(opts?: PackageOptions | Package, f?: TestFacility): Promise<Buffer>;
  /** POST a signed package to /api/v1/packages; returns status, headers and JSON body. */
  submit(bytes: Uint8Array, o?: { token?: string; replaces?: string; replace?: boolean }): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

async function issue(ca: unknown, macskcb: string, name: string) {
  const c = (await (issueFacilityCertificate as (...a: unknown[]) => unknown)(ca, macskcb, name)) as { keyPem: string; certPem: string };
  return { keyPem: c.keyPem, certPem: c.certPem, signer: await signerFromPem(c.keyPem, c.certPem) };
}

/** A dev CA for tests (src/signature). */
export async function testCa(): Promise<unknown> {
  return createDevCa();
}

/** Create a facility account with a facade login, an API token and a registered certificate of `ca`. */
export async function provisionFacility(db: Db, ca: unknown, macskcb: string, name = `Cơ sở ${macskcb}`): Promise<TestFacility> {
  const username = `${macskcb}_BV`;
  const password = randomBytes(8).toString('hex');
  await addAccount(db, { macskcb, name, username, password });
  const { token } = await issueToken(db, macskcb, { name: 'test' });
  const c = await issue(ca, macskcb, name);
  await registerCertificate(db, macskcb, c.certPem);
  return { macskcb, token, signer: c.signer, certPem: c.certPem, keyPem: c.keyPem, username, password };
}

/** Build and sign a valid package for a facility. */
export async function signedPackageFor(f: TestFacility, opts: PackageOptions | Package = {}): Promise<Buffer> {
  const pkg = 'dossiers' in opts ? opts : validPackage({ macskcb: f.macskcb, ...opts });
  return signXml(buildPackage(pkg), f.signer);
}

export async function startTestGateway(o: { kind?: DbKind; macskcb?: string; config?: Partial<GatewayConfig> } = {}): Promise<TestGateway> {
  const kind = o.kind ?? 'pglite';
  const t = await openTestDb(kind, allMigrationDirs());
  const operatorToken = randomBytes(16).toString('hex');
  let gw: RunningGateway;
  try {
    gw = await startGateway({ db: t.db, port: 0, host: '127.0.0.1', config: { operatorToken, ...o.config } });
  } catch (e) {
    await t.cleanup();
    throw e;
  }
  const ca = await createDevCa();
  const addFacility = (macskcb: string, name?: string) => provisionFacility(t.db, ca, macskcb, name);
  const facility = await addFacility(o.macskcb ?? '01001', 'Bệnh viện thử nghiệm');
  let closed: Promise<void> | undefined;
  const sign = (bytes: Uint8Array, f: TestFacility = facility) => signXml(bytes, f.signer);
  return {
    url: gw.url,
    db: t.db,
    app: gw.app,
    kind,
    operatorToken,
    facility,
    addFacility,
    unregisteredSigner: (macskcb: string) => issue(ca, macskcb, `Unregistered ${macskcb}`),
    sign,
    signedPackage: (opts: PackageOptions | Package = {}, f: TestFacility = facility) => signedPackageFor(f, opts),
    async submit(bytes: Uint8Array, so: { token?: string; replaces?: string; replace?: boolean } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/xml', authorization: `Bearer ${so.token ?? facility.token}` };
      if (so.replaces) headers['x-replaces'] = so.replaces;
      const r = await fetch(`${gw.url}/api/v1/packages${so.replace ? '?replace=1' : ''}`, { method: 'POST', headers, body: bytes });
      return { status: r.status, headers: r.headers, body: await r.json() };
    },
    close() {
      closed ??= (async () => {
        await gw.close();
        await t.cleanup();
      })();
      return closed;
    },
  };
}

/** Poll `fn` every 50 ms until it gives a value (e.g. the background worker has projected something). */
export async function until<T>(fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
