import { defineErrors } from '../errors/index.ts';

export const ACC = defineErrors({
  ACC_UNAUTHENTICATED: { status: 401, rule: 'authenticated caller', vi: 'Cần đăng nhập hoặc mã truy cập hợp lệ', en: 'Authentication required' },
  ACC_FORBIDDEN_ROLE: { status: 403, rule: 'role allowed: {roles}', vi: 'Vai trò của bạn không được phép thực hiện thao tác này', en: 'Your role may not do this (allowed: {roles})' },
  ACC_NOT_OWN_BOOK: { status: 403, rule: 'citizen reads own book only', vi: 'Công dân chỉ được xem sổ sức khỏe của chính mình', en: 'A citizen may read only their own book' },
  ACC_NO_CONSENT: { status: 403, rule: 'active consent grant', vi: 'Không có sự đồng ý của người bệnh để xem sổ sức khỏe', en: 'No consent from the patient to read this book' },
  ACC_CONSENT_EXPIRED: { status: 403, rule: 'consent not expired', vi: 'Sự đồng ý đã hết hạn', en: 'The consent has expired' },
  ACC_CONSENT_REVOKED: { status: 403, rule: 'consent not revoked', vi: 'Người bệnh đã thu hồi sự đồng ý', en: 'The patient has revoked the consent' },
  ACC_CONSENT_SCOPE: { status: 403, rule: 'request within consent scope', vi: 'Yêu cầu vượt quá phạm vi được đồng ý', en: 'The request is outside the consented scope' },
  ACC_CONSENT_CODE: { status: 404, rule: 'valid unused one-time code', vi: 'Mã đồng ý không hợp lệ, đã dùng hoặc đã hết hạn', en: 'The consent code is invalid, used or expired' },
  ACC_CONSENT_GRANTEE: { status: 403, rule: 'consent issued to this grantee', vi: 'Sự đồng ý này dành cho cơ sở/bác sĩ khác', en: 'This consent was issued to another facility or doctor' },
  ACC_CONSENT_NOT_FOUND: { status: 404, rule: 'consent exists and belongs to the citizen', vi: 'Không tìm thấy sự đồng ý', en: 'Consent not found' },
  ACC_BAD_PERSONAL_ID: { rule: '12 digits', vi: 'Số định danh cá nhân phải gồm 12 chữ số', en: 'The personal ID must be 12 digits' },
  ACC_BAD_INPUT: { rule: '{rule}', vi: 'Dữ liệu không hợp lệ ở {field}: {detail}', en: 'Invalid {field}: {detail}' },
});
