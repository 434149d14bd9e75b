// Synthetic reference data for the demo province: a small approved catalogue (medicines,
// technical services, supplies with prices), ICD-10 codes with Vietnamese names, and names.
// Invented for the demo; prices are plausible, not official.

export interface Indicator {
  code: string;
  name: string;
  unit: string;
  low: number;
  high: number;
  decimals: number;
}

export interface CatalogueItem {
  code: string;
  name: string;
  unit: string;
  price: number;
  /** MA_NHOM cost group. */
  group: string;
  strength?: string;
  route?: string;
  form?: string;
  registration?: string;
  indicators?: Indicator[];
  finding?: string;
  conclusion?: string;
}

export const ICD10: { code: string; name: string }[] = [
  { code: 'J00', name: 'Viêm mũi họng cấp [cảm thường]' },
  { code: 'J02.9', name: 'Viêm họng cấp, không đặc hiệu' },
  { code: 'J06.9', name: 'Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu' },
  { code: 'J18.9', name: 'Viêm phổi, không đặc hiệu' },
  { code: 'J20.9', name: 'Viêm phế quản cấp, không đặc hiệu' },
  { code: 'J45.9', name: 'Hen, không đặc hiệu' },
  { code: 'I10', name: 'Bệnh lý tăng huyết áp vô căn (nguyên phát)' },
  { code: 'I20.9', name: 'Cơn đau thắt ngực, không đặc hiệu' },
  { code: 'I63.9', name: 'Nhồi máu não, không đặc hiệu' },
  { code: 'E11.9', name: 'Bệnh đái tháo đường không phụ thuộc insuline, không có biến chứng' },
  { code: 'E78.5', name: 'Tăng lipid máu, không đặc hiệu' },
  { code: 'K21.9', name: 'Bệnh trào ngược dạ dày - thực quản không viêm thực quản' },
  { code: 'K29.7', name: 'Viêm dạ dày, không đặc hiệu' },
  { code: 'K35.8', name: 'Viêm ruột thừa cấp, khác và không đặc hiệu' },
  { code: 'A09', name: 'Tiêu chảy và viêm dạ dày - ruột do nhiễm trùng và không rõ nguồn gốc' },
  { code: 'A90', name: 'Sốt Dengue [sốt xuất huyết Dengue cổ điển]' },
  { code: 'N39.0', name: 'Nhiễm trùng đường tiết niệu, vị trí không xác định' },
  { code: 'M54.5', name: 'Đau vùng thắt lưng' },
  { code: 'M17.9', name: 'Thoái hóa khớp gối, không đặc hiệu' },
  { code: 'H10.9', name: 'Viêm kết mạc, không đặc hiệu' },
  { code: 'L20.9', name: 'Viêm da cơ địa, không đặc hiệu' },
  { code: 'R50.9', name: 'Sốt, không đặc hiệu' },
  { code: 'S52.5', name: 'Gãy đầu dưới xương quay' },
  { code: 'O80', name: 'Đẻ thường một thai' },
];

export const DRUGS: CatalogueItem[] = [
  { code: '40.17', name: 'Paracetamol', unit: 'Viên', price: 350, group: '4', strength: '500mg', route: '1.01', form: 'Viên nén', registration: 'VD-21345-14' },
  { code: '40.152', name: 'Amoxicilin', unit: 'Viên', price: 1200, group: '4', strength: '500mg', route: '1.01', form: 'Viên nang', registration: 'VD-24567-16' },
  { code: '40.519', name: 'Amlodipin', unit: 'Viên', price: 450, group: '4', strength: '5mg', route: '1.01', form: 'Viên nén', registration: 'VD-19876-13' },
  { code: '40.677', name: 'Metformin', unit: 'Viên', price: 600, group: '4', strength: '850mg', route: '1.01', form: 'Viên nén bao phim', registration: 'VD-23456-15' },
  { code: '40.678', name: 'Omeprazol', unit: 'Viên', price: 800, group: '4', strength: '20mg', route: '1.01', form: 'Viên nang', registration: 'VD-25678-16' },
  { code: '40.211', name: 'Cefuroxim', unit: 'Viên', price: 4500, group: '4', strength: '500mg', route: '1.01', form: 'Viên nén bao phim', registration: 'VD-26789-17' },
  { code: '40.301', name: 'Salbutamol', unit: 'Ống', price: 3200, group: '4', strength: '5mg/2,5ml', route: '1.05', form: 'Dung dịch khí dung', registration: 'VD-27890-17' },
  { code: '40.88', name: 'Natri clorid 0,9%', unit: 'Chai', price: 9800, group: '4', strength: '0,9% 500ml', route: '2.15', form: 'Dung dịch tiêm truyền', registration: 'VD-28901-18' },
  { code: '40.433', name: 'Atorvastatin', unit: 'Viên', price: 950, group: '4', strength: '20mg', route: '1.01', form: 'Viên nén bao phim', registration: 'VD-29012-18' },
  { code: '40.60', name: 'Vitamin B1 + B6 + B12', unit: 'Viên', price: 500, group: '4', strength: '100mg+200mg+200mcg', route: '1.01', form: 'Viên nén', registration: 'VD-30123-18' },
];

export const SERVICES: CatalogueItem[] = [
  { code: '02.1896', name: 'Khám Nội', unit: 'Lần', price: 38700, group: '13' },
  { code: 'K03.1904', name: 'Ngày giường bệnh ban ngày Nội khoa', unit: 'Ngày', price: 87000, group: '14' },
  { code: 'K03.1903', name: 'Ngày giường bệnh Nội khoa loại 2 hạng II', unit: 'Ngày', price: 171100, group: '15' },
  { code: '13.0171.0606', name: 'Đỡ đẻ thường ngôi chỏm', unit: 'Lần', price: 706000, group: '18' },
];

export const SUPPLIES: CatalogueItem[] = [
  { code: 'N03.05.010', name: 'Bơm tiêm nhựa dùng một lần 5ml', unit: 'Cái', price: 1050, group: '10' },
  { code: 'N03.04.020', name: 'Kim luồn tĩnh mạch 22G', unit: 'Cái', price: 12600, group: '10' },
  { code: 'N03.01.030', name: 'Dây truyền dịch', unit: 'Bộ', price: 6900, group: '10' },
];

export const LAB_TESTS: CatalogueItem[] = [
  {
    code: '22.0121.1369', name: 'Tổng phân tích tế bào máu ngoại vi (bằng máy đếm laser)', unit: 'Lần', price: 46200, group: '1',
    indicators: [
      { code: 'WBC', name: 'Số lượng bạch cầu', unit: 'G/L', low: 4, high: 10, decimals: 1 },
      { code: 'RBC', name: 'Số lượng hồng cầu', unit: 'T/L', low: 3.8, high: 5.5, decimals: 2 },
      { code: 'HGB', name: 'Lượng huyết sắc tố', unit: 'g/L', low: 120, high: 160, decimals: 0 },
      { code: 'PLT', name: 'Số lượng tiểu cầu', unit: 'G/L', low: 150, high: 400, decimals: 0 },
    ],
  },
  { code: '23.0075.1494', name: 'Định lượng Glucose [Máu]', unit: 'Lần', price: 21500, group: '1', indicators: [{ code: 'GLU', name: 'Glucose', unit: 'mmol/L', low: 3.9, high: 6.4, decimals: 1 }] },
  { code: '23.0051.1506', name: 'Định lượng Creatinin [Máu]', unit: 'Lần', price: 21500, group: '1', indicators: [{ code: 'CREA', name: 'Creatinin', unit: 'µmol/L', low: 62, high: 120, decimals: 0 }] },
  { code: '23.0020.1493', name: 'Đo hoạt độ ALT (GPT) [Máu]', unit: 'Lần', price: 21500, group: '1', indicators: [{ code: 'ALT', name: 'ALT (GPT)', unit: 'U/L', low: 5, high: 40, decimals: 0 }] },
  { code: '23.0083.1523', name: 'Định lượng HbA1c [Máu]', unit: 'Lần', price: 101000, group: '1', indicators: [{ code: 'HBA1C', name: 'HbA1c', unit: '%', low: 4, high: 6.4, decimals: 1 }] },
  { code: '23.0112.1487', name: 'Định lượng Cholesterol toàn phần [Máu]', unit: 'Lần', price: 26900, group: '1', indicators: [{ code: 'CHOL', name: 'Cholesterol toàn phần', unit: 'mmol/L', low: 3.9, high: 5.2, decimals: 1 }] },
];

export const IMAGING: CatalogueItem[] = [
  { code: '18.0119.0028', name: 'Chụp X-quang ngực thẳng', unit: 'Lần', price: 65400, group: '2', finding: 'Hai phế trường sáng đều, bóng tim không to', conclusion: 'Chưa thấy bất thường trên phim X-quang ngực' },
  { code: '18.0001.0001', name: 'Siêu âm ổ bụng (gan mật, tụy, lách, thận, bàng quang)', unit: 'Lần', price: 43900, group: '2', finding: 'Gan không to, nhu mô đều; túi mật không sỏi', conclusion: 'Siêu âm ổ bụng bình thường' },
  { code: '18.0021.0001', name: 'Siêu âm tim, màng tim qua thành ngực', unit: 'Lần', price: 222000, group: '2', finding: 'Các buồng tim không giãn, chức năng tâm thu thất trái bảo tồn', conclusion: 'Siêu âm tim trong giới hạn bình thường' },
];

export const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'] as const;
export const MIDDLE = { m: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành'], f: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ'] } as const;
export const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khang', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tài', 'Tuấn', 'Việt'] as const;
export const GIVEN_F = ['Anh', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Oanh', 'Phương', 'Trang', 'Yến'] as const;
export const DISTRICT_NAMES = ['Quận 1', 'Quận 3', 'Quận Bình Thạnh', 'Quận Gò Vấp', 'Quận Tân Bình', 'Thành phố Thủ Đức', 'Huyện Củ Chi', 'Huyện Bình Chánh'] as const;
export const COMMUNE_PREFIX = ['Phường', 'Phường', 'Xã'] as const;
/** BHYT card groups (a few of the common ones). */
export const GROUPS = ['DN', 'HC', 'HS', 'SV', 'GD', 'HN', 'CN', 'TN'] as const;
