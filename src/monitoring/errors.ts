// Monitoring error catalogue (MON_).
import { defineErrors } from '../errors/index.ts';

export const MON = defineErrors({
  MON_BAD_PERIOD: { rule: 'period: from/to YYYY-MM-DD (from ≤ to, ≤ {maxDays} days) or month YYYY-MM', vi: 'Kỳ báo cáo không hợp lệ', en: 'Invalid reporting period', fix: 'Give from/to as YYYY-MM-DD or month as YYYY-MM.' },
  MON_BAD_AREA: { rule: 'province 2 digits, district 3 digits, facility code 5 characters', vi: 'Địa bàn không hợp lệ', en: 'Invalid area' },
  MON_BAD_FORMAT: { rule: 'format ∈ xlsx | csv | pdf', vi: 'Định dạng báo cáo không hỗ trợ', en: 'Unsupported report format' },
  MON_BAD_CHART: { rule: 'chart: type ∈ bar | line | stacked, ≤ 400 points, ≤ 12 series', vi: 'Mô tả biểu đồ không hợp lệ', en: 'Invalid chart specification' },
  MON_REPORT_NOT_FOUND: { status: 404, rule: 'report exists', vi: 'Không tìm thấy báo cáo', en: 'Report not found' },
  MON_UNAUTHORIZED: { status: 401, rule: 'officer or operator credential', vi: 'Cần đăng nhập cán bộ y tế hoặc quản trị', en: 'An officer or operator credential is required' },
  MON_FORBIDDEN: { status: 403, rule: 'officer sees own province only', vi: 'Không có quyền xem địa bàn này', en: 'Not allowed to see this area' },
  MON_BAD_SETTING: { rule: 'known key with a number in range', vi: 'Tham số cấu hình không hợp lệ', en: 'Invalid setting' },
});
