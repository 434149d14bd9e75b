// HTTP routes of identity, mounted by the gateway: the development OpenID provider under /oidc,
// citizen sign-in (/auth/citizen/login, /auth/callback), staff password sign-in, sign-out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Db } from '../../store/index.ts';
import { isProblemError, problem, type Problem } from '../../errors/index.ts';
import { IDN } from './errors.ts';
import { createSession, endSession, loginStaff, readSession, SESSION_COOKIE } from './sessions.ts';
import { checkAuthorize, discovery, exchangeCode, issueCode, jwks, type AuthorizeParams } from './provider.ts';
import { beginLogin, finishLogin, safeReturn, type RpConfig } from './rp.ts';
import { dbByServer, identityConfig, requireRoleWith, sessionToken, type IdentityConfig } from './index.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function pageHtml(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}.dev{background:#fff3cd;border:1px solid #e0b100;padding:.6rem .8rem;border-radius:6px}label{display:block;margin:.8rem 0 .3rem}input[type=text]{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}button{margin-top:1rem;font-size:1rem;padding:.5rem 1.2rem}.en{color:#555;font-size:.9em}ul{padding-left:1.2rem}.err{color:#a00}</style></head><body>${body}</body></html>`;
}

function sendProblem(reply: FastifyReply, p: Problem, html = false) {
  if (html) return reply.code(p.status).type('text/html; charset=utf-8').send(pageHtml('Lỗi đăng nhập', `<h1>Không đăng nhập được</h1><p class="err">${esc(p.vi)}</p><p class="en">${esc(p.en)} (${esc(p.code)})</p><p><a href="/">Trang chủ / Home</a></p>`));
  return reply.code(p.status).send({ problems: [p] });
}

export default async function routes(app: FastifyInstance, ctx: { db: Db; config?: { identity?: Partial<IdentityConfig> } & Record<string, unknown> }) {
  const { db } = ctx;
  const cfg = identityConfig(ctx.config?.identity ?? {});
  dbByServer.set(app.server, db);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 64 * 1024 });

  const issuerOf = (req: FastifyRequest) => cfg.devIssuer ?? `${req.protocol}://${req.host}/oidc`;
  const secure = (req: FastifyRequest) => cfg.secureCookies ?? req.protocol === 'https';
  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${cfg.sessionSeconds}${secure(req) ? '; Secure' : ''}`);

  // ---- development OpenID provider -------------------------------------------------------------
  if (cfg.devProvider) {
    app.get('/oidc/.well-known/openid-configuration', async (req) => discovery(issuerOf(req)));
    app.get('/oidc/jwks', async () => jwks(db));

    const authorizePage = async (p: AuthorizeParams, error?: string) => {
      let demo: string[] = [];
      try {
        demo = (await db.query<{ personal_id: string }>(`SELECT DISTINCT personal_id FROM dossier WHERE personal_id ~ '^[0-9]{12}$' ORDER BY personal_id LIMIT 8`)).rows.map((r) => r.personal_id);
      } catch {
        demo = [];
      }
      const hidden = Object.entries(p)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(String(v))}">`)
        .join('');
      return pageHtml(
        'Đăng nhập định danh (phát triển)',
        `<p class="dev"><strong>MÔI TRƯỜNG PHÁT TRIỂN — không phải VNeID.</strong> Nhà cung cấp định danh thử nghiệm của sosuckhoe; không dùng với dữ liệu thật.<br><span class="en">DEVELOPMENT identity provider — not VNeID; never use with real data.</span></p>
<h1>Đăng nhập bằng số định danh cá nhân</h1><p class="en">Sign in with a personal ID number</p>
${error ? `<p class="err">${esc(error)}</p>` : ''}
<form method="post" action="/oidc/authorize">${hidden}
<label for="pid">Số định danh cá nhân (12 chữ số) <span class="en">/ personal ID (12 digits)</span></label>
<input id="pid" type="text" name="personal_id" inputmode="numeric" pattern="[0-9]{12}" maxlength="12" required autocomplete="off">
${demo.length ? `<p>Công dân thử nghiệm <span class="en">/ demo citizens</span>:</p><ul>${demo.map((d) => `<li><button type="submit" name="pick" value="${esc(d)}">${esc(d)}</button></li>`).join('')}</ul>` : ''}
<button type="submit">Đăng nhập <span class="en">/ Sign in</span></button></form>`,
      );
    };

    app.get('/oidc/authorize', async (req, reply) => {
      const r = checkAuthorize(req.query as Record<string, unknown>, cfg.devClients);
      if (!r.ok) return sendProblem(reply, problem(IDN.ACC_ID_OIDC_REQUEST, 'query', { rule: 'OpenID Connect authorization request', detail: r.reason }), true);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY').send(await authorizePage(r.params));
    });

    app.post('/oidc/authorize', async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const r = checkAuthorize(body, cfg.devClients);
      if (!r.ok) return sendProblem(reply, problem(IDN.ACC_ID_OIDC_REQUEST, 'body', { rule: 'OpenID Connect authorization request', detail: r.reason }), true);
      const pid = String(body.pick ?? body.personal_id ?? '').trim();
      if (!/^\d{12}$/.test(pid)) return reply.code(400).type('text/html; charset=utf-8').send(await authorizePage(r.params, 'Số định danh cá nhân phải gồm 12 chữ số / The personal ID must be 12 digits'));
      const code = await issueCode(db, r.params, pid);
      const u = new URL(r.params.redirect_uri);
      u.searchParams.set('code', code);
      if (r.params.state) u.searchParams.set('state', r.params.state);
      return reply.redirect(u.toString(), 303);
    });

    app.post('/oidc/token', async (req, reply) => {
      const r = await exchangeCode(db, issuerOf(req), (req.body ?? {}) as Record<string, unknown>, req.headers.authorization, cfg.devClients);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      if (!r.ok) return reply.code(r.status).send({ error: r.error, error_description: r.description });
      return r.body;
    });
  }

  // ---- relying party: citizen sign-in ---------------------------------------------------------
  const rpOf = (req: FastifyRequest): RpConfig => {
    let issuer = cfg.rp.issuer;
    if (!issuer) {
      // Default: this gateway's own development provider, reached over loopback.
      const a = app.server.address();
      if (!cfg.devProvider || !a || typeof a === 'string') throw Object.assign(new Error('no issuer'), { problem: problem(IDN.ACC_ID_PROVIDER, 'issuer', { detail: 'no OpenID provider configured (SSK_OIDC_ISSUER)' }) });
      issuer = cfg.devIssuer ?? `http://127.0.0.1:${a.port}/oidc`;
    }
    return {
      issuer,
      clientId: cfg.rp.clientId ?? cfg.devClients[0]?.clientId ?? '',
      clientSecret: cfg.rp.clientSecret ?? cfg.devClients[0]?.clientSecret ?? '',
      redirectUri: cfg.rp.redirectUri ?? `${req.protocol}://${req.host}/auth/callback`,
      personalIdClaim: cfg.rp.personalIdClaim ?? 'sub',
      scope: cfg.rp.scope ?? 'openid profile',
    };
  };
  const fail = (reply: FastifyReply, e: unknown, html: boolean) => {
    const p = (e as { problem?: Problem }).problem ?? (isProblemError(e) ? e.problems[0] : problem(IDN.ACC_ID_PROVIDER, '', { detail: 'unexpected' }));
    return sendProblem(reply, p, html);
  };

  app.get('/auth/citizen/login', async (req, reply) => {
    try {
      const url = await beginLogin(db, rpOf(req), safeReturn((req.query as { return?: string }).return));
      return reply.redirect(url, 302);
    } catch (e) {
      return fail(reply, e, true);
    }
  });

  app.get('/auth/callback', async (req, reply) => {
    try {
      const r = await finishLogin(db, rpOf(req), req.query as Record<string, unknown>);
      const token = await createSession(db, { role: 'citizen', sub: r.personalId, name: r.name, amr: 'oidc' }, { ttlSeconds: cfg.sessionSeconds });
      setCookie(req, reply, token);
      return reply.redirect(r.returnTo, 303);
    } catch (e) {
      return fail(reply, e, true);
    }
  });

  // ---- staff password sign-in (JSON; the web pages use loginStaff directly) ---------------------
  app.post('/auth/staff/login', async (req, reply) => {
    const b = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const p = typeof b.username === 'string' && typeof b.password === 'string' ? await loginStaff(db, b.username, b.password) : null;
    if (!p) return sendProblem(reply, problem(IDN.ACC_ID_UNAUTHENTICATED, 'body'));
    const token = await createSession(db, p, { ttlSeconds: cfg.sessionSeconds });
    setCookie(req, reply, token);
    return { token, principal: p, expiresIn: cfg.sessionSeconds };
  });

  app.get('/auth/session', { preHandler: requireRoleWith(db) }, async (req) => ({ principal: req.principal }));

  app.post('/auth/logout', async (req, reply) => {
    const t = sessionToken(req);
    if (t && (await readSession(db, t))) await endSession(db, t);
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return { ok: true };
  });
}
