// The connector's configuration file (connector.json): facility, folders, signer, target gateway,
// batching and retry timing. Paths are relative to the config file's folder.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ProblemError } from '../errors/index.ts';
import { CON } from './errors.ts';

export type Target =
  /** A sosuckhoe gateway: POST /api/v1/packages, /api/v1/checkins and /api/v1/assessments with a facility API token. */
  | { kind: 'sosuckhoe'; url: string; token: string }
  /** Any gateway speaking the national calls: token/take, guiHoSoXmlQD4750|QD3176, checkInKcb…. */
  | { kind: 'national'; url: string; username: string; password: string; edition?: '4750' | '3176'; maTinh?: string };

export type SignerConfig =
  | { kind: 'pem'; keyFile: string; certFile: string }
  | { kind: 'pkcs12'; file: string; passphraseEnv?: string; passphrase?: string }
  /** Files are sent as they are (already signed by the HIS). */
  | { kind: 'none' };

export interface ConnectorConfig {
  /** The facility code (MACSKCB, 5 characters). */
  macskcb: string;
  /** Working folder: database, spool, inbox, processed, rejected (default: the config file's folder). */
  dataDir: string;
  /** Watched folder where the HIS drops XML files (default <dataDir>/inbox). */
  inbox?: string;
  target: Target;
  signer: SignerConfig;
  /** Local HTTP intake and status page. port 0 = any free port. token: required as Bearer on POST routes when set (set it when host is not loopback). */
  http: { host: string; port: number; token?: string };
  batch: {
    /** Most dossiers in one package (the gateway's maxDossiers; the national gateway: 1). */
    maxDossiers: number;
    /** Most bytes of one unsigned package. */
    maxBytes: number;
    /** Wait this long for more dossiers before sending (0 = send as soon as one arrives). */
    lingerMs: number;
  };
  retry: {
    baseMs: number;
    maxMs: number;
    /** Request time-out. */
    timeoutMs: number;
  };
  /** Folder poll interval; a file is taken once its size and mtime are unchanged for stableMs. */
  pollMs: number;
  stableMs: number;
  /** Largest accepted input file. */
  maxFileBytes: number;
  /** After a crash mid-send: resend the same bytes (the gateway is idempotent) or hold for a person. */
  unknownOutcome: 'resend' | 'hold';
}

export const DEFAULTS = {
  http: { host: '127.0.0.1', port: 8131 },
  batch: { maxDossiers: 50, maxBytes: 10 * 1024 * 1024, lingerMs: 0 },
  retry: { baseMs: 1000, maxMs: 5 * 60_000, timeoutMs: 60_000 },
  pollMs: 1000,
  stableMs: 1000,
  maxFileBytes: 64 * 1024 * 1024,
  unknownOutcome: 'resend' as const,
};

export type ConnectorConfigInput = Partial<Omit<ConnectorConfig, 'http' | 'batch' | 'retry'>> & {
  macskcb: string;
  dataDir: string;
  target: Target;
  http?: Partial<ConnectorConfig['http']>;
  batch?: Partial<ConnectorConfig['batch']>;
  retry?: Partial<ConnectorConfig['retry']>;
};

function bad(detail: string, rule = 'connector.json'): never {
  throw ProblemError.of(CON.CON_CONFIG, detail.split(' ')[0], { rule, detail });
}

/** Fill defaults and check every field; throws CON_CONFIG with the field named. */
export function resolveConnectorConfig(c: ConnectorConfigInput): ConnectorConfig {
  if (!c || typeof c !== 'object') bad('config must be an object');
  if (typeof c.macskcb !== 'string' || !/^[0-9A-Za-z]{5}$/.test(c.macskcb)) bad('macskcb must be 5 letters/digits', 'MACSKCB 5 characters');
  if (typeof c.dataDir !== 'string' || !c.dataDir) bad('dataDir is required');
  const t = c.target as Target;
  if (!t || (t.kind !== 'sosuckhoe' && t.kind !== 'national')) bad('target.kind must be sosuckhoe or national');
  if (typeof t.url !== 'string' || !/^https?:\/\//.test(t.url)) bad('target.url must be an http(s) URL');
  if (t.kind === 'sosuckhoe' && (typeof t.token !== 'string' || !t.token)) bad('target.token is required');
  if (t.kind === 'national' && (typeof t.username !== 'string' || typeof t.password !== 'string')) bad('target.username and target.password are required');
  const out: ConnectorConfig = {
    macskcb: c.macskcb,
    dataDir: c.dataDir,
    inbox: c.inbox,
    target: { ...t, url: t.url.replace(/\/+$/, '') } as Target,
    signer: c.signer ?? { kind: 'none' },
    http: { ...DEFAULTS.http, ...(c.http ?? {}) },
    batch: { ...DEFAULTS.batch, ...(t.kind === 'national' ? { maxDossiers: 1 } : {}), ...(c.batch ?? {}) },
    retry: { ...DEFAULTS.retry, ...(c.retry ?? {}) },
    pollMs: c.pollMs ?? DEFAULTS.pollMs,
    stableMs: c.stableMs ?? DEFAULTS.stableMs,
    maxFileBytes: c.maxFileBytes ?? DEFAULTS.maxFileBytes,
    unknownOutcome: c.unknownOutcome ?? (t.kind === 'sosuckhoe' ? 'resend' : 'hold'),
  };
  const s = out.signer;
  if (!['pem', 'pkcs12', 'none'].includes(s.kind)) bad('signer.kind must be pem, pkcs12 or none');
  for (const [k, v, min, max] of [
    ['batch.maxDossiers', out.batch.maxDossiers, 1, 10_000],
    ['batch.maxBytes', out.batch.maxBytes, 1024, 1 << 30],
    ['batch.lingerMs', out.batch.lingerMs, 0, 3_600_000],
    ['retry.baseMs', out.retry.baseMs, 1, 3_600_000],
    ['retry.maxMs', out.retry.maxMs, 1, 24 * 3_600_000],
    ['retry.timeoutMs', out.retry.timeoutMs, 100, 3_600_000],
    ['pollMs', out.pollMs, 10, 3_600_000],
    ['stableMs', out.stableMs, 0, 3_600_000],
    ['maxFileBytes', out.maxFileBytes, 1024, 1 << 30],
    ['http.port', out.http.port, 0, 65535],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${k} must be an integer in [${min}, ${max}]`);
  }
  if (!['resend', 'hold'].includes(out.unknownOutcome)) bad('unknownOutcome must be resend or hold');
  if (out.http.token !== undefined && (typeof out.http.token !== 'string' || out.http.token.length < 16)) bad('http.token must be at least 16 characters');
  return out;
}

/** Read connector.json; relative paths resolve against its folder. */
export function loadConnectorConfig(file: string): ConnectorConfig {
  if (!existsSync(file)) bad(`${file} not found (run: ssk connector init)`, 'file exists');
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    bad(`${file} is not JSON: ${(e as Error).message.slice(0, 120)}`, 'JSON');
  }
  const base = dirname(resolve(file));
  const abs = (p: string | undefined) => (p === undefined ? p : isAbsolute(p) ? p : join(base, p));
  raw.dataDir = abs(raw.dataDir ?? '.');
  raw.inbox = abs(raw.inbox);
  if (raw.signer?.kind === 'pem') raw.signer = { ...raw.signer, keyFile: abs(raw.signer.keyFile), certFile: abs(raw.signer.certFile) };
  if (raw.signer?.kind === 'pkcs12') raw.signer = { ...raw.signer, file: abs(raw.signer.file) };
  return resolveConnectorConfig(raw);
}

/** Write a template connector.json (does not overwrite). */
export function writeConfigTemplate(file: string, c: { macskcb: string; url: string; token?: string; username?: string; password?: string; keyFile?: string; certFile?: string }): boolean {
  if (existsSync(file)) return false;
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const target = c.username ? { kind: 'national', url: c.url, username: c.username, password: c.password ?? '', edition: '4750' } : { kind: 'sosuckhoe', url: c.url, token: c.token ?? 'PASTE-FACILITY-API-TOKEN' };
  const signer = c.keyFile && c.certFile ? { kind: 'pem', keyFile: c.keyFile, certFile: c.certFile } : { kind: 'none' };
  const body = { macskcb: c.macskcb, dataDir: '.', inbox: 'inbox', target, signer, http: DEFAULTS.http, batch: DEFAULTS.batch, retry: DEFAULTS.retry, pollMs: DEFAULTS.pollMs, stableMs: DEFAULTS.stableMs };
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  return true;
}
