"""Name and place lists for a believable rural commune of the Southeast (glossary-vi.md)."""

# (family name, weight in %): Nguyễn ~38%, Trần ~11%, Lê ~9.5% …
FAMILY_NAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Huỳnh", 3),
    ("Hoàng", 2),
    ("Phan", 4.5),
    ("Võ", 3),
    ("Vũ", 1),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1.5),
    ("Hồ", 1.5),
    ("Ngô", 1.5),
    ("Dương", 1.2),
    ("Lý", 1),
    ("Trương", 1.5),
    ("Đinh", 0.8),
    ("Lâm", 0.8),
    ("Mai", 0.7),
    ("Tô", 0.5),
    ("Châu", 0.6),
    ("Thái", 0.5),
    ("Cao", 0.5),
    ("Lưu", 0.4),
    ("Đoàn", 0.6),
    ("Tạ", 0.3),
    ("Quách", 0.3),
    ("La", 0.3),
]

MALE_MIDDLE: list[tuple[str, float]] = [
    ("Văn", 55),
    ("Minh", 8),
    ("Thanh", 6),
    ("Hoàng", 4),
    ("Quốc", 5),
    ("Hữu", 6),
    ("Đức", 4),
    ("Công", 3),
    ("Tấn", 5),
    ("Gia", 2),
    ("Thành", 2),
]
FEMALE_MIDDLE: list[tuple[str, float]] = [
    ("Thị", 62),
    ("Ngọc", 9),
    ("Thanh", 5),
    ("Kim", 6),
    ("Thu", 4),
    ("Bích", 3),
    ("Mỹ", 4),
    ("Hồng", 3),
    ("Phương", 2),
    ("Bảo", 2),
]

MALE_GIVEN = (
    "Hùng Dũng Tuấn Nam Phong Long Hải Sơn Tâm Tài Lộc Phúc Thành Trung Hiếu Nghĩa "
    "Bình An Khoa Khang Minh Quang Vinh Hòa Thắng Lợi Tín Đạt Toàn Hậu Sang Tú Cường "
    "Kiệt Phát Nhân Thiện Danh Hưng Tùng Lâm Bảo Huy Trí Hoàng Duy Thịnh Tiến Hoài "
    "Luân Tuấn Em Út "
).split()
FEMALE_GIVEN = (
    "Lan Hoa Mai Hồng Tím Cúc Đào Hạnh Hương Thảo Trang Linh Ngọc Nhung Hằng Thủy "
    "Thu Yến Diễm Loan Phượng Nga Vân Nhi Trâm Vy Anh Tuyết Liên Hiền Bích Xuân Diệu "
    "Kim Ngân Oanh Quyên Trinh My Thư Uyên Hà Huyền Dung Giang Lệ Mến Thắm Út Em "
).split()

# Villages of the demo commune: (name, short code, weight)
VILLAGES: list[tuple[str, str, float]] = [
    ("Ấp Tân Đông", "TD", 1.3),
    ("Ấp Đông Hiệp", "DH", 1.1),
    ("Ấp Cây Cầy", "CC", 0.9),
    ("Ấp Tân Hòa", "TH", 1.0),
    ("Ấp Suối Dây", "SD", 0.8),
    ("Ấp Tân Trung", "TT", 1.0),
    ("Ấp Bến Cừ", "BC", 0.7),
    ("Ấp Thạnh Phú", "TP", 1.0),
    ("Ấp Hội Thạnh", "HT", 1.2),
    ("Ấp Tân Lập", "TL", 1.0),
]

STREET_WORDS = ["Tổ 1", "Tổ 2", "Tổ 3", "Tổ 4", "Tổ 5", "Tổ 6", "Tổ 7", "Tổ 8"]

# (ethnicity code, weight): mostly Kinh, with Khmer, Hoa, Chăm, Tày in Tây Ninh
ETHNICITIES: list[tuple[str, float]] = [
    ("01", 95.0),
    ("05", 2.8),
    ("04", 1.6),
    ("17", 0.4),
    ("02", 0.2),
]

# Where people's birth was registered (CCCD province code): mostly old Tây Ninh / Long An
BIRTH_PROVINCES: list[tuple[str, float]] = [
    ("072", 78),
    ("080", 8),
    ("079", 5),
    ("070", 2),
    ("074", 2),
    ("087", 1),
    ("089", 1),
    ("038", 1),
    ("040", 1),
    ("036", 1),
]

BANKS: list[tuple[str, float]] = [
    ("agribank", 45),
    ("vbsp", 12),
    ("vietcombank", 12),
    ("vietinbank", 10),
    ("bidv", 9),
    ("sacombank", 10),
    ("lpbank", 2),
]

MOBILE_PREFIXES = [
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "86",
    "96",
    "97",
    "98",
    "81",
    "82",
    "83",
    "84",
    "85",
    "88",
    "91",
    "94",
    "70",
    "76",
    "77",
    "78",
    "79",
    "89",
    "90",
    "93",
]
