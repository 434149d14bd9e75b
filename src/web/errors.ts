// The web pages' error catalogue (prefix WEB_). Domain errors keep their own codes and are
// shown as they come (code, field path, Vietnamese message, English beside it).
import { defineErrors } from '../errors/index.ts';

export const WEB = defineErrors({
  WEB_CSRF: { status: 403, rule: 'form token matches the browser cookie; same origin', vi: 'Biểu mẫu đã hết hạn hoặc không hợp lệ, vui lòng tải lại trang và thử lại', en: 'The form expired or is not valid; reload the page and try again' },
  WEB_SIGN_IN_REQUIRED: { status: 401, rule: 'a session of role {role}', vi: 'Vui lòng đăng nhập', en: 'Please sign in' },
  WEB_FORBIDDEN: { status: 403, rule: 'role {role}', vi: 'Tài khoản không có quyền xem trang này', en: 'This account may not see this page' },
  WEB_NOT_FOUND: { status: 404, rule: 'existing page', vi: 'Không tìm thấy trang', en: 'Page not found' },
  WEB_FIELD_REQUIRED: { status: 400, rule: 'required', vi: 'Trường {field} là bắt buộc', en: 'Field {field} is required' },
  WEB_FIELD_INVALID: { status: 400, rule: '{rule}', vi: 'Trường {field} không hợp lệ: {detail}', en: 'Field {field} is not valid: {detail}' },
  WEB_UNAVAILABLE: { status: 503, rule: 'module {module} present', vi: 'Chức năng chưa sẵn sàng trên máy chủ này ({module})', en: 'This function is not available on this server yet ({module})' },
  WEB_FACILITY_MISMATCH: { status: 400, rule: 'MA_CSKCB = the signed-in facility ({expected})', vi: 'Mã cơ sở phải là cơ sở đang đăng nhập ({expected})', en: 'The facility code must be the signed-in facility ({expected})' },
  WEB_UPLOAD_TOO_LARGE: { status: 413, rule: '{what} ≤ {limit}', vi: 'Biểu mẫu gửi lên vượt giới hạn ({what} tối đa {limit})', en: 'The form exceeds its limit ({what} at most {limit})', fix: 'A .p12/.pfx file is a few kB; choose the facility signing file, not another file.' },
  WEB_LOGIN_FAILED: { status: 401, rule: 'valid account and password', vi: 'Tên đăng nhập hoặc mật khẩu không đúng', en: 'Wrong user name or password' },
});
