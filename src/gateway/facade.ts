// The national gateway's own calls (spec standard.md §6), so an HIS integrated with it can point
// at sosuckhoe unchanged: token/take, guiHoSoXmlQD4750/QD3176 (and QD130), checkInKcbQd4750/
// Qd3176 (and Qd130), guiDuLieuGdykQd130. Form-urlencoded in, JSON out
// { maKetQua, maGiaoDich, thoiGianTiepNhan, thongDiep }; 401 is answered inside an HTTP 200.
// Behind it the same accounts and pipeline run; our /api/v1 gives the detailed receipts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { randomBytes } from 'node:crypto';
import { authenticate, checkFacadeLogin, issueToken, sha256hex, getFacility, purgeExpiredFacadeTokens } from './accounts.ts';
import { submitPackage, submitCheckin, submitGdyk, type SubmitResult } from './pipeline.ts';
import type { GatewayContext } from './app.ts';
import type { Receipt } from './receipt.ts';

interface CallBody {
  username?: string;
  loaiHoSo?: string;
  maTinh?: string;
  maCSKCB?: string;
  fileHSBase64?: string;
}

/** yyyyMMddHHmmss in Vietnam time (UTC+7). */
export function vnTime14(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600_000).toISOString();
  return t.slice(0, 19).replace(/[-T:]/g, '');
}

const B64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

function answer(code: string, thongDiep: string, receipt?: Receipt) {
  return {
    maKetQua: code,
    maGiaoDich: receipt?.receiptId ?? '',
    thoiGianTiepNhan: vnTime14(receipt ? new Date(receipt.acceptedAt ?? receipt.receivedAt) : new Date()),
    thongDiep,
  };
}

function resultMessage(r: SubmitResult): { code: string; text: string } {
  const rc = r.receipt;
  if (rc.status === 'accepted') return { code: '200', text: r.replay ? 'Đã tiếp nhận trước đó (gửi lại) / already received' : 'Tiếp nhận thành công / received' };
  const all = [...rc.problems, ...rc.dossiers.flatMap((d) => d.problems.map((p) => ({ ...p, path: `${d.maLk}:${p.path}` })))].filter((p) => p.severity === 'error');
  const text = all.slice(0, 20).map((p) => `${p.code}${p.path ? ` [${p.path}]` : ''}: ${p.vi}`).join('; ');
  if (rc.status === 'partial') return { code: '200', text: `Tiếp nhận một phần / partially received: ${text}` };
  const forbidden = rc.problems.some((p) => p.code === 'GW_FACILITY_MISMATCH');
  return { code: forbidden ? '403' : '400', text: text || 'Từ chối / rejected' };
}

export async function facadeRoutes(app: FastifyInstance, ctx: GatewayContext) {
  const limit = Math.ceil((ctx.config.maxPackageBytes * 4) / 3) + 65536;
  await app.register(formbody, { bodyLimit: limit });

  app.post<{ Body: { username?: string; password?: string } }>('/token/take', async (req) => {
    const b = (req.body ?? {}) as { username?: string; password?: string };
    if (typeof b.username !== 'string' || typeof b.password !== 'string' || b.username.length > 100 || b.password.length > 64) {
      return { maKetQua: '401', thongDiep: 'Sai tài khoản hoặc mật khẩu / wrong username or password' };
    }
    const acc = await checkFacadeLogin(ctx.db, b.username, b.password);
    if (!acc || acc.status !== 'active') return { maKetQua: '401', thongDiep: 'Sai tài khoản hoặc mật khẩu / wrong username or password' };
    await purgeExpiredFacadeTokens(ctx.db);
    const idToken = randomBytes(24).toString('base64url');
    const expires = new Date(Date.now() + ctx.config.facadeTokenSeconds * 1000);
    const { token } = await issueToken(ctx.db, acc.macskcb, { name: 'facade', scopes: ['submit', 'read'], expiresAt: expires, idTokenHash: sha256hex(idToken) });
    return {
      maKetQua: '200',
      APIKey: { access_token: token, id_token: idToken, token_type: 'Bearer', username: b.username, expires_in: expires.toISOString() },
    };
  });

  type Handler = typeof submitPackage;
  const call = (run: Handler, edition?: '4750' | '3176') => async (req: FastifyRequest<{ Body: CallBody }>) => {
    const receivedAt = new Date();
    const h = req.headers;
    const access = typeof h.accesstoken === 'string' ? h.accesstoken : '';
    const tokenId = typeof h.tokenid === 'string' ? h.tokenid : undefined;
    const principal = access ? await authenticate(ctx.db, access, tokenId) : null;
    if (!principal) return answer('401', 'Lỗi xác thực tài khoản / not authenticated');
    const b = (req.body ?? {}) as CallBody;
    const acc = await getFacility(ctx.db, principal.macskcb);
    if (b.username !== undefined && acc?.username && b.username !== acc.username) return answer('403', 'Tài khoản không khớp / username does not match the token');
    if (b.maCSKCB !== undefined && b.maCSKCB !== principal.macskcb) return answer('403', `maCSKCB khác cơ sở của tài khoản / maCSKCB is not the account's facility`);
    if (!principal.scopes.includes('submit')) return answer('403', 'Không có quyền gửi / not authorised to submit');
    if (typeof b.fileHSBase64 !== 'string' || !b.fileHSBase64.length || !B64.test(b.fileHSBase64)) return answer('205', 'fileHSBase64 thiếu hoặc không phải base64 / missing or not base64');
    const bytes = Buffer.from(b.fileHSBase64, 'base64');
    try {
      const r = await run(ctx, { bytes, principal, receivedAt, edition });
      const m = resultMessage(r);
      return answer(m.code, m.text, r.receipt);
    } catch (e) {
      const pe = e as { problems?: { code: string; vi: string }[] };
      if (pe.problems) return answer('205', pe.problems.map((p) => `${p.code}: ${p.vi}`).join('; '));
      req.log.error({ msg: 'facade call failed' });
      return answer('500', 'Lỗi máy chủ / server error');
    }
  };

  app.post('/qd130/guiHoSoXmlQD130', call(submitPackage, '4750'));
  app.post('/qd130/guiHoSoXmlQD4750', call(submitPackage, '4750'));
  app.post('/qd130/guiHoSoXmlQD3176', call(submitPackage, '3176'));
  app.post('/qd130/checkInKcbQd130', call(submitCheckin));
  app.post('/qd130/checkInKcbQd4750', call(submitCheckin));
  app.post('/qd130/checkInKcbQd3176', call(submitCheckin));
  app.post('/qd130/guiDuLieuGdykQd130', call(submitGdyk));
}

