from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Ethnicity(models.TextChoices):
    """The 54 ethnic groups with their official codes (Decision 121-TCTK/PPCĐ).

    Proper names: the same in every language.
    """

    KINH = "01", "Kinh"
    TAY = "02", "Tày"
    THAI = "03", "Thái"
    HOA = "04", "Hoa"
    KHMER = "05", "Khơ-me"
    MUONG = "06", "Mường"
    NUNG = "07", "Nùng"
    HMONG = "08", "HMông"
    DAO = "09", "Dao"
    GIA_RAI = "10", "Gia-rai"
    NGAI = "11", "Ngái"
    E_DE = "12", "Ê-đê"
    BA_NA = "13", "Ba-na"
    XO_DANG = "14", "Xơ-đăng"
    SAN_CHAY = "15", "Sán Chay"
    CO_HO = "16", "Cơ-ho"
    CHAM = "17", "Chăm"
    SAN_DIU = "18", "Sán Dìu"
    HRE = "19", "Hrê"
    MNONG = "20", "Mnông"
    RA_GLAI = "21", "Ra-glai"
    XTIENG = "22", "Xtiêng"
    BRU_VAN_KIEU = "23", "Bru-Vân Kiều"
    THO = "24", "Thổ"
    GIAY = "25", "Giáy"
    CO_TU = "26", "Cơ-tu"
    GIE_TRIENG = "27", "Giẻ-Triêng"
    MA = "28", "Mạ"
    KHO_MU = "29", "Khơ-mú"
    CO = "30", "Co"
    TA_OI = "31", "Tà-ôi"
    CHO_RO = "32", "Chơ-ro"
    KHANG = "33", "Kháng"
    XINH_MUN = "34", "Xinh-mun"
    HA_NHI = "35", "Hà Nhì"
    CHU_RU = "36", "Chu-ru"
    LAO = "37", "Lào"
    LA_CHI = "38", "La Chí"
    LA_HA = "39", "La Ha"
    PHU_LA = "40", "Phù Lá"
    LA_HU = "41", "La Hủ"
    LU = "42", "Lự"
    LO_LO = "43", "Lô Lô"
    CHUT = "44", "Chứt"
    MANG = "45", "Mảng"
    PA_THEN = "46", "Pà Thẻn"
    CO_LAO = "47", "Cơ Lao"
    CONG = "48", "Cống"
    BO_Y = "49", "Bố Y"
    SI_LA = "50", "Si La"
    PU_PEO = "51", "Pu Péo"
    BRAU = "52", "Brâu"
    O_DU = "53", "Ơ-đu"
    RO_MAM = "54", "Rơ-măm"


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son/daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Father/mother")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother/sister")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Not related")


class LifeStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    DECEASED = "deceased", _("Deceased")
    MOVED_AWAY = "moved_away", _("Moved away")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Current")
    DISSOLVED = "dissolved", _("Closed (no members left)")
    MOVED_AWAY = "moved_away", _("Moved away")


class Bank(models.TextChoices):
    AGRIBANK = "agribank", "Agribank"
    VBSP = "vbsp", _("Vietnam Bank for Social Policies (VBSP)")
    VIETCOMBANK = "vietcombank", "Vietcombank"
    VIETINBANK = "vietinbank", "VietinBank"
    BIDV = "bidv", "BIDV"
    SACOMBANK = "sacombank", "Sacombank"
    LIENVIETPOSTBANK = "lpbank", "LPBank"
    OTHER = "other", _("Other bank")


class EventKind(models.TextChoices):
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE = "marriage", _("Marriage (joined the household)")
    MOVE_IN = "move_in", _("Moved in")
    MOVE_OUT = "move_out", _("Moved out")
    SPLIT = "split", _("Split into a new household")
    HEAD_CHANGE = "head_change", _("New head of household")


class ProposalKind(models.TextChoices):
    UPDATE_HOUSEHOLD = "update_household", _("Change household details")
    UPDATE_PERSON = "update_person", _("Change a member's details")
    ADD_PERSON = "add_person", _("Add a member")
    RECORD_DEATH = "record_death", _("Report a death")
    RECORD_MOVE_OUT = "record_move_out", _("Report a member who moved away")
    NEW_HOUSEHOLD = "new_household", _("Register a new household")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the officer")
    APPLIED = "applied", _("Approved")
    REJECTED = "rejected", _("Rejected")
