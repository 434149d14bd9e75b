// Common ICD-10 codes with their Vietnamese names (the Vietnamese edition's wording, QĐ 4469/QĐ-BYT),
// for display in the health book and the demo. Not the full classification (≈ 12,000 codes):
// icd10Name() returns '' for a code outside this list; the validator checks the code's shape only.
// Hand-written facts; chapter by chapter.

const DATA = `
A01.0|Bệnh thương hàn
A03.9|Lỵ trực khuẩn, không đặc hiệu
A06.0|Lỵ amip cấp
A09|Tiêu chảy và viêm dạ dày ruột do nhiễm trùng
A15.0|Lao phổi, xác nhận bằng soi đờm
A16.2|Lao phổi, không đề cập đến xác nhận vi khuẩn học hoặc mô học
A18.0|Lao xương và khớp
A38|Bệnh tinh hồng nhiệt
A41.9|Nhiễm trùng huyết, không đặc hiệu
A46|Viêm quầng
A90|Sốt Dengue [sốt xuất huyết kinh điển]
A91|Sốt xuất huyết Dengue
A97.0|Sốt xuất huyết Dengue không có dấu hiệu cảnh báo
A97.1|Sốt xuất huyết Dengue có dấu hiệu cảnh báo
A97.2|Sốt xuất huyết Dengue nặng
B01.9|Thủy đậu không có biến chứng
B02.9|Zona không có biến chứng
B05.9|Sởi không có biến chứng
B08.4|Bệnh tay chân miệng
B16.9|Viêm gan B cấp, không có đồng nhiễm viêm gan D, không có hôn mê gan
B18.1|Viêm gan virus B mạn, không có đồng nhiễm viêm gan D
B18.2|Viêm gan virus C mạn
B20|Bệnh do HIV dẫn đến bệnh nhiễm trùng và ký sinh trùng
B24|Bệnh do virus gây suy giảm miễn dịch ở người [HIV], không đặc hiệu
B35.4|Nấm da thân
B36.0|Lang ben
B37.3|Nhiễm nấm Candida ở âm hộ và âm đạo
B86|Bệnh ghẻ
C15.9|U ác của thực quản, không đặc hiệu
C16.9|U ác của dạ dày, không đặc hiệu
C18.9|U ác của đại tràng, không đặc hiệu
C20|U ác của trực tràng
C22.0|Ung thư biểu mô tế bào gan
C34.9|U ác của phế quản hoặc phổi, không đặc hiệu
C50.9|U ác của vú, không đặc hiệu
C53.9|U ác của cổ tử cung, không đặc hiệu
C61|U ác của tuyến tiền liệt
C73|U ác của tuyến giáp
C91.0|Bệnh bạch cầu cấp dòng lympho
D25.9|U cơ trơn tử cung, không đặc hiệu
D50.9|Thiếu máu do thiếu sắt, không đặc hiệu
D56.9|Bệnh thalassemia, không đặc hiệu
D64.9|Thiếu máu, không đặc hiệu
D69.6|Giảm tiểu cầu, không đặc hiệu
E03.9|Suy giáp, không đặc hiệu
E04.9|Bướu giáp không độc, không đặc hiệu
E05.9|Nhiễm độc giáp, không đặc hiệu
E10.9|Đái tháo đường phụ thuộc insulin, không có biến chứng
E11.9|Đái tháo đường không phụ thuộc insulin, không có biến chứng
E11.2|Đái tháo đường không phụ thuộc insulin, có biến chứng thận
E11.4|Đái tháo đường không phụ thuộc insulin, có biến chứng thần kinh
E11.5|Đái tháo đường không phụ thuộc insulin, có biến chứng mạch máu ngoại vi
E14.9|Đái tháo đường không đặc hiệu, không có biến chứng
E44.0|Suy dinh dưỡng protein - năng lượng mức độ vừa
E55.9|Thiếu vitamin D, không đặc hiệu
E66.9|Béo phì, không đặc hiệu
E78.0|Tăng cholesterol máu đơn thuần
E78.2|Tăng lipid máu hỗn hợp
E78.5|Tăng lipid máu, không đặc hiệu
E79.0|Tăng acid uric máu không có dấu hiệu viêm khớp và bệnh hạt tophi
E86|Giảm thể tích dịch
E87.6|Hạ kali máu
F03|Sa sút trí tuệ không đặc hiệu
F10.2|Rối loạn tâm thần và hành vi do rượu, hội chứng nghiện
F20.0|Tâm thần phân liệt thể paranoid
F32.9|Giai đoạn trầm cảm, không đặc hiệu
F41.1|Rối loạn lo âu lan tỏa
F41.9|Rối loạn lo âu, không đặc hiệu
F51.0|Mất ngủ không thực tổn
G20|Bệnh Parkinson
G30.9|Bệnh Alzheimer, không đặc hiệu
G40.9|Động kinh, không đặc hiệu
G43.9|Migraine, không đặc hiệu
G44.2|Đau đầu do căng thẳng
G45.9|Cơn thiếu máu não thoáng qua, không đặc hiệu
G47.0|Rối loạn khởi đầu và duy trì giấc ngủ [mất ngủ]
G51.0|Liệt Bell
G56.0|Hội chứng ống cổ tay
H10.9|Viêm kết mạc, không đặc hiệu
H25.9|Đục thủy tinh thể tuổi già, không đặc hiệu
H40.9|Glôcôm, không đặc hiệu
H52.1|Cận thị
H66.9|Viêm tai giữa, không đặc hiệu
H81.1|Chóng mặt kịch phát lành tính
I10|Tăng huyết áp vô căn (nguyên phát)
I11.9|Bệnh tim do tăng huyết áp, không có suy tim (sung huyết)
I20.9|Cơn đau thắt ngực, không đặc hiệu
I21.9|Nhồi máu cơ tim cấp, không đặc hiệu
I25.1|Bệnh tim xơ vữa động mạch
I25.9|Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu
I48|Rung nhĩ và cuồng nhĩ
I50.0|Suy tim sung huyết
I50.9|Suy tim, không đặc hiệu
I61.9|Xuất huyết trong não, không đặc hiệu
I63.9|Nhồi máu não, không đặc hiệu
I64|Đột quỵ, không xác định do xuất huyết hay nhồi máu
I67.2|Xơ vữa động mạch não
I69.4|Di chứng đột quỵ, không xác định do xuất huyết hay nhồi máu
I70.2|Xơ vữa động mạch chi
I80.2|Viêm tĩnh mạch và viêm tắc tĩnh mạch của các mạch sâu khác ở chi dưới
I83.9|Giãn tĩnh mạch chi dưới không có loét hoặc viêm
I84.2|Trĩ nội không có biến chứng
I95.9|Hạ huyết áp, không đặc hiệu
J00|Viêm mũi họng cấp [cảm thường]
J01.9|Viêm xoang cấp, không đặc hiệu
J02.9|Viêm họng cấp, không đặc hiệu
J03.9|Viêm amidan cấp, không đặc hiệu
J04.0|Viêm thanh quản cấp
J06.9|Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu
J09|Cúm do virus cúm gia cầm được định danh
J10.1|Cúm có biểu hiện hô hấp khác, virus cúm mùa được định danh
J11.1|Cúm có biểu hiện hô hấp khác, virus không được định danh
J12.9|Viêm phổi do virus, không đặc hiệu
J15.9|Viêm phổi do vi khuẩn, không đặc hiệu
J18.0|Viêm phế quản phổi, không đặc hiệu
J18.9|Viêm phổi, không đặc hiệu
J20.9|Viêm phế quản cấp, không đặc hiệu
J21.9|Viêm tiểu phế quản cấp, không đặc hiệu
J30.4|Viêm mũi dị ứng, không đặc hiệu
J31.0|Viêm mũi mạn
J32.9|Viêm xoang mạn, không đặc hiệu
J35.0|Viêm amidan mạn
J40|Viêm phế quản, không xác định là cấp hay mạn
J42|Viêm phế quản mạn, không đặc hiệu
J44.1|Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu
J44.9|Bệnh phổi tắc nghẽn mạn tính, không đặc hiệu
J45.9|Hen, không đặc hiệu
J46|Cơn hen ác tính
J47|Giãn phế quản
J90|Tràn dịch màng phổi, không phân loại nơi khác
J96.0|Suy hô hấp cấp
K02.9|Sâu răng, không đặc hiệu
K04.0|Viêm tủy răng
K05.1|Viêm lợi mạn
K21.0|Bệnh trào ngược dạ dày - thực quản có viêm thực quản
K21.9|Bệnh trào ngược dạ dày - thực quản không có viêm thực quản
K25.9|Loét dạ dày, không xác định là cấp hay mạn, không chảy máu hoặc thủng
K26.9|Loét tá tràng, không xác định là cấp hay mạn, không chảy máu hoặc thủng
K29.0|Viêm dạ dày xuất huyết cấp
K29.5|Viêm dạ dày mạn, không đặc hiệu
K29.7|Viêm dạ dày, không đặc hiệu
K30|Khó tiêu chức năng
K35.8|Viêm ruột thừa cấp, khác và không đặc hiệu
K40.9|Thoát vị bẹn một bên hoặc không đặc hiệu, không tắc nghẽn hoặc hoại thư
K52.9|Viêm dạ dày - ruột và viêm đại tràng không nhiễm trùng, không đặc hiệu
K56.7|Tắc ruột, không đặc hiệu
K58.9|Hội chứng ruột kích thích không có tiêu chảy
K59.0|Táo bón
K70.3|Xơ gan do rượu
K74.6|Xơ gan khác và không đặc hiệu
K76.0|Gan nhiễm mỡ, không phân loại nơi khác
K80.2|Sỏi túi mật không có viêm túi mật
K81.0|Viêm túi mật cấp
K85.9|Viêm tụy cấp, không đặc hiệu
K92.2|Xuất huyết tiêu hóa, không đặc hiệu
L02.9|Áp xe da, nhọt và nhọt cụm, không đặc hiệu
L03.9|Viêm mô tế bào, không đặc hiệu
L20.9|Viêm da cơ địa, không đặc hiệu
L23.9|Viêm da tiếp xúc dị ứng, nguyên nhân không đặc hiệu
L30.9|Viêm da, không đặc hiệu
L40.0|Vảy nến thông thường
L50.9|Mày đay, không đặc hiệu
L70.0|Trứng cá thông thường
M06.9|Viêm khớp dạng thấp, không đặc hiệu
M10.9|Bệnh gút, không đặc hiệu
M13.9|Viêm khớp, không đặc hiệu
M17.9|Thoái hóa khớp gối, không đặc hiệu
M19.9|Thoái hóa khớp, không đặc hiệu
M25.5|Đau khớp
M42.1|Hư xương sụn cột sống người lớn
M47.8|Thoái hóa cột sống khác
M47.9|Thoái hóa cột sống, không đặc hiệu
M50.1|Rối loạn đĩa đệm cột sống cổ có bệnh lý rễ thần kinh
M51.1|Rối loạn đĩa đệm cột sống thắt lưng và vùng khác có bệnh lý rễ thần kinh
M53.1|Hội chứng cổ - cánh tay
M54.2|Đau vùng cổ
M54.4|Đau thắt lưng kèm đau thần kinh tọa
M54.5|Đau vùng thắt lưng
M62.6|Căng cơ
M75.0|Viêm dính bao khớp vai
M79.1|Đau cơ
M81.9|Loãng xương, không đặc hiệu
N02.9|Đái máu tái phát và dai dẳng, không đặc hiệu
N10|Viêm thận - bể thận cấp
N17.9|Suy thận cấp, không đặc hiệu
N18.5|Bệnh thận mạn, giai đoạn 5
N18.9|Bệnh thận mạn, không đặc hiệu
N20.0|Sỏi thận
N20.1|Sỏi niệu quản
N30.0|Viêm bàng quang cấp
N39.0|Nhiễm khuẩn hệ tiết niệu, vị trí không xác định
N40|Tăng sản tuyến tiền liệt
N63|Khối u không đặc hiệu ở vú
N76.0|Viêm âm đạo cấp
N80.9|Lạc nội mạc tử cung, không đặc hiệu
N83.2|Nang buồng trứng khác và không đặc hiệu
N92.0|Kinh nguyệt nhiều và thường xuyên với chu kỳ đều
N94.6|Đau bụng kinh, không đặc hiệu
N95.1|Trạng thái mãn kinh và mãn kinh nữ
O03.9|Sẩy thai tự nhiên, hoàn toàn hoặc không đặc hiệu, không có biến chứng
O14.9|Tiền sản giật, không đặc hiệu
O20.0|Dọa sẩy thai
O21.0|Nôn nhẹ khi có thai
O24.4|Đái tháo đường phát sinh trong thời kỳ mang thai
O42.9|Ối vỡ sớm, không đặc hiệu
O47.9|Chuyển dạ giả, không đặc hiệu
O60.1|Đẻ non tự nhiên
O80.0|Đẻ thường ngôi chỏm
O82.9|Đẻ bằng mổ lấy thai, không đặc hiệu
O99.0|Thiếu máu biến chứng thai nghén, sinh đẻ và hậu sản
P07.3|Trẻ đẻ non khác
P22.9|Suy hô hấp ở trẻ sơ sinh, không đặc hiệu
P59.9|Vàng da sơ sinh, không đặc hiệu
Q21.1|Thông liên nhĩ
R05|Ho
R07.4|Đau ngực, không đặc hiệu
R10.4|Đau bụng khác và không đặc hiệu
R11|Buồn nôn và nôn
R42|Chóng mặt và choáng váng
R50.9|Sốt, không đặc hiệu
R51|Đau đầu
R53|Khó chịu và mệt mỏi
R55|Ngất và trụy
R56.0|Co giật do sốt
R73.0|Bất thường nghiệm pháp dung nạp glucose
S00.9|Tổn thương nông ở đầu, phần không đặc hiệu
S01.8|Vết thương hở ở phần khác của đầu
S06.0|Chấn động não
S06.9|Tổn thương nội sọ, không đặc hiệu
S22.3|Gãy xương sườn
S42.0|Gãy xương đòn
S52.5|Gãy đầu dưới xương quay
S61.9|Vết thương hở ở cổ tay và bàn tay, phần không đặc hiệu
S72.0|Gãy cổ xương đùi
S82.2|Gãy thân xương chày
S83.6|Bong gân và căng các phần khác và không đặc hiệu của khớp gối
S93.4|Bong gân và căng dây chằng cổ chân
T14.0|Tổn thương nông ở vùng cơ thể không xác định
T14.1|Vết thương hở ở vùng cơ thể không xác định
T30.0|Bỏng, độ không đặc hiệu, vùng cơ thể không đặc hiệu
T63.4|Nhiễm độc do nọc của động vật chân đốt khác
T78.4|Dị ứng, không đặc hiệu
T88.7|Tác dụng phụ không đặc hiệu của thuốc hoặc dược phẩm
U07.1|COVID-19, đã xác định virus
W54|Bị chó cắn hoặc húc
Z00.0|Khám sức khỏe tổng quát
Z01.4|Khám phụ khoa (tổng quát) (thường quy)
Z09.8|Khám theo dõi sau điều trị các bệnh khác
Z23|Cần tiêm chủng phòng một bệnh nhiễm khuẩn đơn lẻ
Z34.9|Theo dõi thai bình thường, không đặc hiệu
Z35.9|Theo dõi thai có nguy cơ cao, không đặc hiệu
Z38.0|Trẻ sinh đơn, sinh tại bệnh viện
Z39.2|Theo dõi thường quy sau đẻ
Z48.0|Chăm sóc băng và chỉ khâu
Z76.0|Cấp lại đơn thuốc
`;

export interface Icd10Entry {
  code: string;
  name: string;
}

/** The list (code, Vietnamese name), in code order. */
export const ICD10: readonly Icd10Entry[] = DATA.trim()
  .split('\n')
  .map((l) => {
    const [code, name] = l.split('|');
    return { code, name };
  })
  .sort((a, b) => a.code.localeCompare(b.code));

const byCode = new Map<string, string>(ICD10.map((e) => [e.code, e.name]));

/** Normalise an ICD-10 code as written in the XML: upper-case, trimmed, '.' after 3 characters. */
export function normalizeIcd10(code: string): string {
  const c = code.trim().toUpperCase().replace(/[*+†]$/, '');
  return c.length > 3 && c[3] !== '.' ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

/**
 * The Vietnamese name of an ICD-10 code ('' when not in the list). A subcode not listed falls back to
 * its three-character category when that is listed (J18.8 → name of J18 if present).
 */
export function icd10Name(code: string): string {
  const c = normalizeIcd10(code);
  return byCode.get(c) ?? byCode.get(c.slice(0, 3)) ?? '';
}
