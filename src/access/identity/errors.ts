// Error catalogue of identity (sign-in, sessions, the development OpenID provider).
import { defineErrors } from '../../errors/index.ts';

export const IDN = defineErrors({
  ACC_ID_UNAUTHENTICATED: { status: 401, rule: 'session cookie ssk_session or Bearer token', vi: 'Bạn cần đăng nhập', en: 'Sign-in required' },
  ACC_ID_FORBIDDEN: { status: 403, rule: 'role in {roles}', vi: 'Bạn không có quyền truy cập chức năng này', en: 'Your role may not use this function' },
  ACC_ID_ACCOUNT_INVALID: { rule: '{rule}', vi: 'Thông tin tài khoản không hợp lệ: {detail}', en: 'Invalid account data: {detail}' },
  ACC_ID_ACCOUNT_EXISTS: { status: 409, rule: 'unique user name', vi: 'Tên đăng nhập đã tồn tại', en: 'The user name already exists' },
  ACC_ID_OIDC_REQUEST: { rule: '{rule}', vi: 'Yêu cầu đăng nhập OpenID không hợp lệ: {detail}', en: 'Invalid OpenID Connect request: {detail}' },
  ACC_ID_OIDC_CLIENT: { status: 401, rule: 'registered client and secret', vi: 'Ứng dụng yêu cầu đăng nhập không được đăng ký', en: 'Unknown OpenID client or wrong secret' },
  ACC_ID_OIDC_GRANT: { rule: 'valid, unused, unexpired code with its PKCE verifier', vi: 'Mã cấp quyền không hợp lệ hoặc đã hết hạn', en: 'The authorization code is invalid or expired' },
  ACC_ID_PERSONAL_ID: { rule: '12 digits', vi: 'Số định danh cá nhân phải gồm 12 chữ số', en: 'The personal ID must be 12 digits' },
  ACC_ID_LOGIN_STATE: { rule: 'state of a pending sign-in', vi: 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng thử lại', en: 'The sign-in attempt is unknown or expired; please try again' },
  ACC_ID_PROVIDER: { status: 502, rule: 'identity provider answers per OpenID Connect', vi: 'Nhà cung cấp định danh trả lời không hợp lệ: {detail}', en: 'The identity provider answered incorrectly: {detail}' },
  ACC_ID_TOKEN_INVALID: { status: 401, rule: 'ID token signature, issuer, audience, nonce, expiry', vi: 'Thẻ định danh (ID token) không hợp lệ', en: 'The ID token is not valid' },
});
