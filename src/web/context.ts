// Per-request state of a page: language, CSRF token, signed-in principal, cookies.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../errors/index.ts';
import { WEB } from './errors.ts';
import { pickLang, type Lang } from './i18n.ts';

export const SESSION_COOKIE = 'ssk_session';
export const CSRF_COOKIE = 'ssk_csrf';

/** The signed-in user as the identity module describes them (role, subject, facility or area). */
export interface WebPrincipal {
  role: string;
  sub: string;
  name?: string;
  macskcb?: string;
  province?: string;
  [k: string]: unknown;
}

export interface PageCtx {
  lang: Lang;
  csrf: string;
  path: string;
  principal: WebPrincipal | null;
  /** The principal on pages that require a role (set before the handler runs; null on public pages). */
  user: WebPrincipal;
  sessionToken: string | null;
  secure: boolean;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export function cookie(name: string, value: string, opts: { maxAge?: number; httpOnly?: boolean; secure?: boolean } = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (opts.httpOnly !== false) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  return parts.join('; ');
}

export function addCookie(reply: FastifyReply, c: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = Array.isArray(prev) ? prev.map(String) : prev ? [String(prev)] : [];
  list.push(c);
  reply.header('set-cookie', list);
}

/** Build the page context; issue the CSRF cookie and remember the language when asked. */
export function pageCtx(req: FastifyRequest, reply: FastifyReply): PageCtx {
  const cookies = parseCookies(req.headers.cookie);
  const secure = req.protocol === 'https';
  const { lang, remember } = pickLang(req.query, cookies);
  if (remember) addCookie(reply, cookie('lang', remember, { maxAge: 365 * 86400, httpOnly: false, secure }));
  let csrf = cookies[CSRF_COOKIE];
  if (!csrf || !/^[A-Za-z0-9_-]{43}$/.test(csrf)) {
    csrf = randomBytes(32).toString('base64url');
    addCookie(reply, cookie(CSRF_COOKIE, csrf, { secure }));
  }
  const path = (req.url.split('?')[0] || '/');
  return { lang, csrf, path, principal: null, user: null as unknown as WebPrincipal, sessionToken: cookies[SESSION_COOKIE] || null, secure };
}

/**
 * Check a form post: the hidden _csrf field equals the browser's CSRF cookie (double submit),
 * and when the browser names an Origin it is this host.
 */
export function checkCsrf(req: FastifyRequest, field: unknown): void {
  const cookies = parseCookies(req.headers.cookie);
  const c = cookies[CSRF_COOKIE] ?? '';
  const f = typeof field === 'string' ? field : '';
  const ok = c.length === 43 && f.length === c.length && timingSafeEqual(Buffer.from(c), Buffer.from(f));
  const origin = req.headers.origin;
  const host = req.headers.host;
  const sameOrigin = !origin || origin === 'null' ? !origin : (() => {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  })();
  if (!ok || !sameOrigin) throw ProblemError.of(WEB.WEB_CSRF, 'body._csrf');
}
