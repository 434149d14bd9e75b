import { defineErrors } from '../errors/index.ts';

export const BOOK = defineErrors({
  BOOK_BAD_PERSONAL_ID: { rule: '12 digits', vi: 'Số định danh cá nhân phải gồm 12 chữ số', en: 'The personal ID must be 12 digits' },
  BOOK_BAD_QUERY: { rule: '{rule}', vi: 'Tham số không hợp lệ ở {field}: {detail}', en: 'Invalid parameter {field}: {detail}' },
  BOOK_NOT_FOUND: { status: 404, rule: 'book exists', vi: 'Không tìm thấy sổ sức khỏe', en: 'Health book not found' },
  BOOK_ENTRY_NOT_FOUND: { status: 404, rule: 'entry exists', vi: 'Không tìm thấy mục trong sổ sức khỏe', en: 'Book entry not found' },
  BOOK_NO_QR: { rule: 'referral or appointment entry', vi: 'Chỉ giấy chuyển tuyến và giấy hẹn khám lại có mã QR', en: 'Only referrals and appointments carry a QR code' },
  BOOK_CERT_INVALID: { rule: '{rule}', vi: 'Giấy chứng nhận không hợp lệ ở {field}: {detail}', en: 'Invalid certificate at {field}: {detail}' },
  BOOK_CERT_FACILITY: { status: 403, rule: 'MA_CSKCB = caller facility', vi: 'Mã cơ sở trên giấy không khớp với cơ sở gửi', en: 'The certificate facility code differs from the sender' },
  BOOK_CERT_DUPLICATE: { status: 409, rule: 'unique number per facility (use replace)', vi: 'Số giấy đã tồn tại; dùng thay thế để sửa', en: 'Certificate number already exists; send it as a replacement' },
  BOOK_MATCH_NONE: { status: 404, rule: 'identifier known', vi: 'Không tìm thấy người bệnh với định danh này', en: 'No patient with this identifier' },
  BOOK_MATCH_AMBIGUOUS: { status: 409, rule: 'single certain match', vi: 'Định danh ứng với nhiều người; không thể xác định chắc chắn', en: 'The identifier matches several people; no certain match' },
  BOOK_MATCH_NEAR: { status: 409, rule: 'all given details agree', vi: 'Thông tin không khớp hoàn toàn ({detail}); không cấp sổ', en: 'Near match only ({detail}); the book is not released' },
  BOOK_MATCH_UNCERTAIN: { status: 422, rule: '12-digit personal ID or 15-character BHYT card', vi: 'Định danh không đủ chắc chắn ({detail})', en: 'The identifier is not certain enough ({detail})' },
  BOOK_FEED_CURSOR: { rule: 'cursor from a previous page', vi: 'Con trỏ không hợp lệ', en: 'Invalid cursor' },
  BOOK_WEBHOOK_URL: { rule: 'http(s) URL', vi: 'Địa chỉ webhook không hợp lệ', en: 'Invalid webhook URL' },
});
