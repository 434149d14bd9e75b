// Registry error catalogue (REG_).
import { defineErrors } from '../errors/index.ts';

export const REG = defineErrors({
  REG_FIELD_REQUIRED: { rule: '{field} required', vi: 'Thiếu trường bắt buộc {field}', en: 'Required field {field} is missing' },
  REG_FIELD_INVALID: { rule: '{field}: {rule}', vi: 'Giá trị trường {field} không hợp lệ ({rule})', en: 'Invalid value for {field} ({rule})' },
  REG_NOT_FOUND: { status: 404, rule: 'exists', vi: 'Không tìm thấy {what}', en: '{what} not found' },
  REG_CODE_EXHAUSTED: { status: 409, rule: 'free serial 001–999 in the province', vi: 'Đã hết mã cơ sở trong tỉnh {province}', en: 'No free facility code left in province {province}' },
  REG_CSV_INVALID: { rule: 'CSV: {detail}', vi: 'Tệp CSV không hợp lệ: {detail}', en: 'Invalid CSV file: {detail}', fix: 'Use UTF-8 CSV with a header row naming the columns (see docs/registry.md).' },
  REG_CSV_TOO_LARGE: { status: 413, rule: '≤ {limit} rows and ≤ 5 MiB', vi: 'Tệp CSV quá lớn (tối đa {limit} dòng)', en: 'CSV file too large (at most {limit} rows)' },
  REG_UNAUTHORIZED: { status: 401, rule: 'credential required', vi: 'Cần đăng nhập', en: 'Authentication required' },
  REG_FORBIDDEN: { status: 403, rule: 'operator or officer role', vi: 'Không có quyền thay đổi danh mục', en: 'Not allowed to change the registry' },
});
