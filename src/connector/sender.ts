// Senders: the target gateway is configuration. SosuckhoeSender speaks our /api/v1 (detailed
// signed receipts, X-Replaces); NationalSender speaks the national gateway's calls (token/take,
// guiHoSoXmlQD4750|QD3176, checkInKcbQd4750|Qd3176, guiDuLieuGdykQd130; form-urlencoded, JSON
// answers with maKetQua).
// A send ends in a receipt, a retry (network, 429, 5xx; Retry-After honoured) or a fatal refusal.
import { createHash } from 'node:crypto';
import { problem, type Problem } from '../errors/index.ts';
import { CON } from './errors.ts';
import type { Target } from './config.ts';

export interface SendRequest {
  /** dossier: a GIAMDINHHS package; checkin: XML0; gdyk: XML12 (medical assessment). */
  kind: 'dossier' | 'checkin' | 'gdyk' | 'certificate';
  bytes: Buffer;
  macskcb: string;
  /** MA_LK of the dossier this package replaces (one dossier per replacement package). */
  replaces?: string;
}

export interface DossierOutcome {
  maLk: string;
  status: 'accepted' | 'rejected';
  version?: number;
  problems: Problem[];
}

export type SendOutcome =
  | {
      kind: 'receipt';
      status: 'accepted' | 'rejected' | 'partial';
      receiptId: string;
      acceptedAt?: string;
      /** Per dossier when the gateway tells (our API); empty: the status applies to every dossier. */
      dossiers: DossierOutcome[];
      problems: Problem[];
      replay: boolean;
      raw: unknown;
    }
  | { kind: 'retry'; problem: Problem; retryAfterMs?: number }
  | { kind: 'fatal'; problem: Problem };

export interface Sender {
  send(req: SendRequest): Promise<SendOutcome>;
  /** The gateway's reconciliation for a period (our API only). */
  reconciliation?(from: Date, to: Date): Promise<any>;
}

/** Retry-After: seconds or an HTTP date → milliseconds (bounded to one hour). */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Math.min(3_600_000, Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.min(3_600_000, Math.max(0, t - now));
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Response | { error: string }> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const c = (e as { cause?: { code?: string } }).cause?.code;
    return { error: c ?? (e as Error).name ?? 'network' };
  }
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class SosuckhoeSender implements Sender {
  #url: string;
  #token: string;
  #timeout: number;
  constructor(target: { url: string; token: string }, timeoutMs: number) {
    this.#url = target.url;
    this.#token = target.token;
    this.#timeout = timeoutMs;
  }
  async send(req: SendRequest): Promise<SendOutcome> {
    const headers: Record<string, string> = { 'content-type': 'application/xml', authorization: `Bearer ${this.#token}` };
    if (req.replaces) headers['x-replaces'] = req.replaces;
    const path = req.kind === 'checkin' ? '/api/v1/checkins' : req.kind === 'gdyk' ? '/api/v1/assessments' : req.kind === 'certificate' ? '/api/v1/certificates' : '/api/v1/packages';
    const r = await request(this.#url + path, { method: 'POST', headers, body: new Uint8Array(req.bytes) }, this.#timeout);
    if ('error' in r) return { kind: 'retry', problem: problem(CON.CON_GATEWAY_DOWN, 'target.url') };
    let body: any;
    try {
      body = await r.json();
    } catch {
      body = undefined;
    }
    if (r.status === 200 && body && typeof body.receiptId === 'string') {
      const dossiers: DossierOutcome[] = Array.isArray(body.dossiers)
        ? body.dossiers.map((d: any) => ({ maLk: String(d.maLk), status: d.status === 'accepted' ? 'accepted' : 'rejected', version: typeof d.version === 'number' ? d.version : undefined, problems: Array.isArray(d.problems) ? d.problems : [] }))
        : [];
      return {
        kind: 'receipt',
        status: body.status === 'accepted' || body.status === 'partial' ? body.status : 'rejected',
        receiptId: body.receiptId,
        acceptedAt: body.acceptedAt,
        dossiers,
        problems: Array.isArray(body.problems) ? body.problems : [],
        replay: r.headers.get('idempotent-replay') === 'true',
        raw: body,
      };
    }
    if (retryable(r.status)) return { kind: 'retry', problem: problem(CON.CON_GATEWAY_BUSY, '', { status: r.status }), retryAfterMs: parseRetryAfter(r.headers.get('retry-after')) };
    if (r.status === 401 || r.status === 403) return { kind: 'fatal', problem: problem(CON.CON_AUTH, 'target.token') };
    const first = Array.isArray(body?.problems) ? (body.problems[0] as Problem | undefined) : undefined;
    return { kind: 'fatal', problem: problem(CON.CON_SEND_REFUSED, '', { detail: first ? `${first.code}: ${first.vi}` : `HTTP ${r.status}` }) };
  }
  async reconciliation(from: Date, to: Date): Promise<any> {
    const u = `${this.#url}/api/v1/reconciliation?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const r = await request(u, { headers: { authorization: `Bearer ${this.#token}` } }, this.#timeout);
    if ('error' in r) throw new Error(r.error);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }
}

const md5Upper = (s: string) => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();

/** The national gateway's calls (spec §6). One token (token/take) serves every call; 401 inside HTTP 200 → log in again. */
export class NationalSender implements Sender {
  #t: Extract<Target, { kind: 'national' }>;
  #timeout: number;
  #token?: { access: string; id: string; until: number };
  constructor(target: Extract<Target, { kind: 'national' }>, timeoutMs: number) {
    this.#t = target;
    this.#timeout = timeoutMs;
  }
  async #login(): Promise<SendOutcome | null> {
    if (this.#token && this.#token.until > Date.now() + 60_000) return null;
    const body = new URLSearchParams({ username: this.#t.username, password: md5Upper(this.#t.password) });
    const r = await request(`${this.#t.url}/api/token/take`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, this.#timeout);
    if ('error' in r) return { kind: 'retry', problem: problem(CON.CON_GATEWAY_DOWN, 'target.url') };
    if (r.status !== 200) return retryable(r.status) ? { kind: 'retry', problem: problem(CON.CON_GATEWAY_BUSY, '', { status: r.status }), retryAfterMs: parseRetryAfter(r.headers.get('retry-after')) } : { kind: 'fatal', problem: problem(CON.CON_AUTH, 'target.username') };
    const j: any = await r.json().catch(() => ({}));
    if (j.maKetQua !== '200' || !j.APIKey?.access_token) return { kind: 'fatal', problem: problem(CON.CON_AUTH, 'target.username') };
    const exp = Date.parse(j.APIKey.expires_in);
    this.#token = { access: j.APIKey.access_token, id: j.APIKey.id_token ?? '', until: Number.isNaN(exp) ? Date.now() + 3_600_000 : exp };
    return null;
  }
  async send(req: SendRequest): Promise<SendOutcome> {
    if (req.kind === 'certificate') return { kind: 'fatal', problem: problem(CON.CON_TARGET_KIND, 'target.kind', { what: 'death notices / driving-licence health checks' }) };
    for (let attempt = 0; attempt < 2; attempt++) {
      const fail = await this.#login();
      if (fail) return fail;
      const ed = this.#t.edition ?? '4750';
      // XML12 has one call for every edition (spec §6.2).
      const path = req.kind === 'checkin' ? `/api/qd130/checkInKcbQd${ed}` : req.kind === 'gdyk' ? '/api/qd130/guiDuLieuGdykQd130' : `/api/qd130/guiHoSoXmlQD${ed}`;
      const body = new URLSearchParams({
        username: this.#t.username,
        loaiHoSo: req.kind === 'checkin' ? '0' : req.kind === 'gdyk' ? '12' : '130',
        maTinh: this.#t.maTinh ?? req.macskcb.slice(0, 2),
        maCSKCB: req.macskcb,
        fileHSBase64: req.bytes.toString('base64'),
      });
      const headers = { 'content-type': 'application/x-www-form-urlencoded', accessToken: this.#token!.access, tokenId: this.#token!.id, passwordHash: md5Upper(this.#t.password) };
      const r = await request(`${this.#t.url}${path}`, { method: 'POST', headers, body }, this.#timeout);
      if ('error' in r) return { kind: 'retry', problem: problem(CON.CON_GATEWAY_DOWN, 'target.url') };
      if (r.status !== 200) {
        if (retryable(r.status)) return { kind: 'retry', problem: problem(CON.CON_GATEWAY_BUSY, '', { status: r.status }), retryAfterMs: parseRetryAfter(r.headers.get('retry-after')) };
        return { kind: 'fatal', problem: problem(CON.CON_SEND_REFUSED, '', { detail: `HTTP ${r.status}` }) };
      }
      const j: any = await r.json().catch(() => ({}));
      const code = String(j.maKetQua ?? '');
      if (code === '401') {
        this.#token = undefined;
        continue;
      }
      if (code === '500') return { kind: 'retry', problem: problem(CON.CON_GATEWAY_BUSY, '', { status: 500 }) };
      const text = String(j.thongDiep ?? '').slice(0, 2000);
      if (code === '200') {
        const partial = /một phần|partial/i.test(text);
        return { kind: 'receipt', status: partial ? 'partial' : 'accepted', receiptId: String(j.maGiaoDich ?? ''), acceptedAt: vnTime(j.thoiGianTiepNhan), dossiers: [], problems: [], replay: /gửi lại|already/i.test(text), raw: j };
      }
      if (code === '403') return { kind: 'fatal', problem: problem(CON.CON_AUTH, 'target.username') };
      return { kind: 'receipt', status: 'rejected', receiptId: String(j.maGiaoDich ?? ''), dossiers: [], problems: [problem(CON.CON_REJECTED, '', { detail: `${code} ${text}` })], replay: false, raw: j };
    }
    return { kind: 'fatal', problem: problem(CON.CON_AUTH, 'target.username') };
  }
}

/** yyyyMMddHHmmss (Vietnam time) → ISO. */
function vnTime(s: unknown): string | undefined {
  if (typeof s !== 'string' || !/^\d{14}$/.test(s)) return undefined;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}+07:00`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function makeSender(target: Target, timeoutMs: number): Sender {
  return target.kind === 'sosuckhoe' ? new SosuckhoeSender(target, timeoutMs) : new NationalSender(target, timeoutMs);
}

/** Exponential backoff with full jitter, at least Retry-After when the gateway gave one. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, retryAfterMs?: number, rand = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(20, Math.max(0, attempt - 1)));
  const jittered = Math.round(cap / 2 + rand() * (cap / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}
