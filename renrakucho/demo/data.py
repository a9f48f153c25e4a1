"""The demo data set: two Networks of 上伊那, their facilities, staff and residents.

Plain tables, read by `renrakucho.demo.seed`. Keys that tie rows together (facility keys,
usernames, Network slugs) are the natural keys the seed looks rows up by.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

PASSWORD = "renrakucho-demo"

MEDICAL_AREA = ("20", "上伊那")  # (prefecture code, 二次医療圏名)

# (全国地方公共団体コード, name, kana)
MUNICIPALITIES = [
    ("202096", "伊那市", "イナシ"),
    ("203858", "南箕輪村", "ミナミミノワムラ"),
    ("203840", "箕輪町", "ミノワマチ"),
]


@dataclass(frozen=True)
class NetworkSpec:
    slug: str
    name: str
    operator_organisation: str
    municipality_code: str
    contact: str


NETWORKS = [
    NetworkSpec("ina", "いーな電子@連絡帳", "伊那市", "202096", "伊那市 高齢者福祉課 0265-00-1110"),
    NetworkSpec(
        "minamiminowa",
        "まっくん電子@連絡帳",
        "南箕輪村",
        "203858",
        "南箕輪村 保健福祉課 0265-00-2108",
    ),
    # Invited to the 定住自立圏 Agreement (demo.agreements), not yet accepted; no staff yet.
    NetworkSpec("minowa", "みのわ電子@連絡帳", "箕輪町", "203840", "箕輪町 福祉課 0265-00-3115"),
]


@dataclass(frozen=True)
class FacilitySpec:
    key: str
    network: str
    name: str
    name_kana: str
    facility_type: str
    address: str
    phone: str
    facility_number: str = ""


INA = "長野県伊那市"
MINAMI = "長野県上伊那郡南箕輪村"

FACILITIES = [
    # いーな電子@連絡帳 (伊那市)
    FacilitySpec("ina-clinic", "ina", "いなまち内科クリニック", "イナマチナイカクリニック",
                 "clinic", f"{INA}荒井3500-1", "0265-00-1101", "2010101"),
    FacilitySpec("ina-hospital", "ina", "伊那中央病院", "イナチュウオウビョウイン",
                 "hospital", f"{INA}小四郎久保1313-1", "0265-00-1102", "2010102"),
    FacilitySpec("ina-dental", "ina", "みすず歯科医院", "ミスズシカイイン",
                 "dental_clinic", f"{INA}美篶4500", "0265-00-1103", "2030103"),
    FacilitySpec("ina-pharmacy", "ina", "さくら調剤薬局 伊那店", "サクラチョウザイヤッキョク イナテン",
                 "pharmacy", f"{INA}西町5100", "0265-00-1104", "2040104"),
    FacilitySpec("ina-nursing", "ina", "訪問看護ステーション あおば",
                 "ホウモンカンゴステーション アオバ", "visiting_nursing", f"{INA}山寺2800",
                 "0265-00-1105", "2060100011"),
    FacilitySpec("ina-care-office", "ina", "居宅介護支援事業所 はなみずき",
                 "キョタクカイゴシエンジギョウショ ハナミズキ", "care_management", f"{INA}境1300",
                 "0265-00-1106", "2070100012"),
    FacilitySpec("ina-home-help", "ina", "ヘルパーステーション きぼう",
                 "ヘルパーステーション キボウ", "home_help", f"{INA}坂下3200", "0265-00-1107",
                 "2070100013"),
    FacilitySpec("ina-day", "ina", "デイサービス ひだまり", "デイサービス ヒダマリ",
                 "day_service", f"{INA}上牧6500", "0265-00-1108", "2070100014"),
    FacilitySpec("ina-houkatsu", "ina", "伊那市地域包括支援センター",
                 "イナシチイキホウカツシエンセンター", "community_support_center",
                 f"{INA}下新田3050", "0265-00-1109"),
    FacilitySpec("ina-city", "ina", "伊那市 保健福祉部 高齢者福祉課",
                 "イナシ ホケンフクシブ コウレイシャフクシカ", "municipal_department",
                 f"{INA}下新田3050", "0265-00-1110"),
    FacilitySpec("ina-fire", "ina", "上伊那広域消防本部 伊那消防署",
                 "カミイナコウイキショウボウホンブ イナショウボウショ", "fire_department",
                 f"{INA}狐島4100", "0265-00-1111"),
    FacilitySpec("ina-shakyo", "ina", "伊那市社会福祉協議会", "イナシシャカイフクシキョウギカイ",
                 "social_welfare_council", f"{INA}西町5000", "0265-00-1112"),
    # まっくん電子@連絡帳 (南箕輪村)
    FacilitySpec("mk-clinic", "minamiminowa", "大芝高原クリニック", "オオシバコウゲンクリニック",
                 "clinic", f"{MINAMI}2400", "0265-00-2101", "2010201"),
    FacilitySpec("mk-pharmacy", "minamiminowa", "ファミリー薬局 南箕輪店",
                 "ファミリーヤッキョク ミナミミノワテン", "pharmacy", f"{MINAMI}2450",
                 "0265-00-2102", "2040202"),
    FacilitySpec("mk-nursing", "minamiminowa", "まっくん訪問看護ステーション",
                 "マックンホウモンカンゴステーション", "visiting_nursing", f"{MINAMI}3000",
                 "0265-00-2103", "2060200011"),
    FacilitySpec("mk-care-office", "minamiminowa", "居宅介護支援事業所 だいしば",
                 "キョタクカイゴシエンジギョウショ ダイシバ", "care_management", f"{MINAMI}3100",
                 "0265-00-2104", "2070200012"),
    FacilitySpec("mk-home-help", "minamiminowa", "ヘルパーステーション みなみ",
                 "ヘルパーステーション ミナミ", "home_help", f"{MINAMI}4000", "0265-00-2105",
                 "2070200013"),
    FacilitySpec("mk-day", "minamiminowa", "デイサービス きたとの", "デイサービス キタトノ",
                 "day_service", f"{MINAMI}6500", "0265-00-2106", "2070200014"),
    FacilitySpec("mk-houkatsu", "minamiminowa", "南箕輪村地域包括支援センター",
                 "ミナミミノワムラチイキホウカツシエンセンター", "community_support_center",
                 f"{MINAMI}4825-1", "0265-00-2107"),
    FacilitySpec("mk-village", "minamiminowa", "南箕輪村 保健福祉課",
                 "ミナミミノワムラ ホケンフクシカ", "municipal_department", f"{MINAMI}4825-1",
                 "0265-00-2108"),
    FacilitySpec("mk-shakyo", "minamiminowa", "南箕輪村社会福祉協議会",
                 "ミナミミノワムラシャカイフクシキョウギカイ", "social_welfare_council",
                 f"{MINAMI}4830", "0265-00-2109"),
]  # fmt: skip


@dataclass(frozen=True)
class UserSpec:
    username: str
    name: str
    name_kana: str
    occupations: tuple[str, ...]
    facility: str
    admin: bool = False
    operator_of: str = ""


# The logins listed in README.md come first; the others fill the teams.
USERS = [
    UserSpec("demo-operator", "小松 美穂", "コマツ ミホ", ("municipal_officer",), "ina-city",
             admin=True, operator_of="ina"),
    UserSpec("demo-doctor", "宮坂 誠", "ミヤサカ マコト", ("doctor",), "ina-clinic", admin=True),
    UserSpec("demo-nurse", "北沢 由美", "キタザワ ユミ", ("nurse",), "ina-nursing", admin=True),
    UserSpec("demo-caremanager", "向山 直樹", "ムカイヤマ ナオキ",
             ("care_manager", "certified_care_worker"), "ina-care-office", admin=True),
    UserSpec("demo-pharmacist", "福澤 健一", "フクザワ ケンイチ", ("pharmacist",), "ina-pharmacy",
             admin=True),
    UserSpec("demo-helper", "矢島 幸子", "ヤジマ サチコ", ("home_helper", "certified_care_worker"),
             "ina-home-help"),
    UserSpec("demo-outsider", "池上 翔太", "イケガミ ショウタ", ("social_worker",), "ina-houkatsu",
             admin=True),
    UserSpec("demo-other", "高木 真理", "タカギ マリ", ("nurse",), "mk-nursing", admin=True),
    # いーな: more staff
    UserSpec("ina-hospital-doctor", "丸山 隆", "マルヤマ タカシ", ("doctor",), "ina-hospital",
             admin=True),
    UserSpec("ina-caremanager-2", "中島 久美", "ナカジマ クミ",
             ("care_manager", "chief_care_manager"), "ina-care-office"),
    UserSpec("ina-pt", "片桐 亮", "カタギリ リョウ", ("physical_therapist",), "ina-hospital"),
    UserSpec("ina-soudan", "浦野 早苗", "ウラノ サナエ", ("consultation_support_specialist",),
             "ina-shakyo", admin=True),
    # まっくん: staff
    UserSpec("mk-operator", "藤森 信也", "フジモリ シンヤ", ("municipal_officer",), "mk-village",
             admin=True, operator_of="minamiminowa"),
    UserSpec("mk-doctor", "小林 健", "コバヤシ ケン", ("doctor",), "mk-clinic", admin=True),
    UserSpec("mk-caremanager", "百瀬 陽子", "モモセ ヨウコ", ("care_manager",), "mk-care-office",
             admin=True),
    UserSpec("mk-pharmacist", "堀 哲也", "ホリ テツヤ", ("pharmacist",), "mk-pharmacy", admin=True),
    UserSpec("mk-helper", "征矢 恵", "ソヤ メグミ", ("home_helper",), "mk-home-help"),
]  # fmt: skip


@dataclass(frozen=True)
class KeyPersonSpec:
    name: str
    name_kana: str
    relation: str
    phone: str = ""
    address: str = ""
    is_guardian: bool = False


@dataclass(frozen=True)
class ConsentSpec:
    """`proxy` is (name, relation) for a proxy's consent; `revoked_on` makes it history."""

    consented_on: datetime.date
    proxy: tuple[str, str] | None = None
    family: bool = False
    emergency: bool = True
    revoked_on: datetime.date | None = None
    revocation_reason: str = ""
    # Covers sharing with professionals of partner Networks (広域連携, demo.agreements).
    cross_network: bool = False


@dataclass(frozen=True)
class ResidentSpec:
    network: str
    name: str
    name_kana: str
    birth_date: datetime.date
    sex: str
    care_level: str
    address: str
    lat: str
    lng: str
    # (username, team role); the first is the lead.
    team: tuple[tuple[str, str], ...]
    flags: tuple[str, ...] = ()
    key_persons: tuple[KeyPersonSpec, ...] = ()
    consent: ConsentSpec | None = None
    phone: str = ""
    note: str = ""
    primary_doctor: str = ""

    @property
    def latitude(self) -> Decimal:
        return Decimal(self.lat)

    @property
    def longitude(self) -> Decimal:
        return Decimal(self.lng)


D = datetime.date
CM, DR, NS, PH, HH, RH, CS = (
    "care_manager",
    "primary_doctor",
    "visiting_nurse",
    "pharmacist",
    "home_helper",
    "rehabilitation",
    "consultation_support",
)
ALONE, ELDERLY, CHILD, DISABLED, EVAC, HARDSHIP = (
    "lives_alone",
    "elderly_only_household",
    "medical_care_child",
    "disability",
    "evacuation_support_needed",
    "financial_hardship",
)


def _self(on: D, **kw) -> ConsentSpec:
    return ConsentSpec(consented_on=on, **kw)


def _proxy(on: D, name: str, relation: str, **kw) -> ConsentSpec:
    return ConsentSpec(consented_on=on, proxy=(name, relation), **kw)


KP = KeyPersonSpec

RESIDENTS = [
    # --- いーな電子@連絡帳 (伊那市) -------------------------------------------------------
    ResidentSpec("ina", "山田 花子", "ヤマダ ハナコ", D(1938, 4, 12), "female", "care_2",
                 f"{INA}荒井3428", "35.829700", "137.955100",
                 team=(("demo-caremanager", CM), ("demo-doctor", DR), ("demo-nurse", NS),
                       ("demo-pharmacist", PH), ("demo-helper", HH)),
                 flags=(ALONE, EVAC), phone="0265-00-3001", primary_doctor="demo-doctor",
                 key_persons=(KP("山田 一郎", "ヤマダ イチロウ", "長男", "0265-00-9001",
                                 f"{INA}西町5210"),),
                 consent=_self(D(2025, 4, 1), family=True),
                 note="高血圧・変形性膝関節症。杖歩行。"),
    ResidentSpec("ina", "伊藤 正男", "イトウ マサオ", D(1941, 9, 3), "male", "care_3",
                 f"{INA}西町5012", "35.833500", "137.942800",
                 team=(("demo-caremanager", CM), ("demo-doctor", DR), ("demo-nurse", NS)),
                 flags=(ELDERLY,), phone="0265-00-3002", primary_doctor="demo-doctor",
                 key_persons=(KP("伊藤 和子", "イトウ カズコ", "妻", "0265-00-3002"),),
                 consent=_self(D(2024, 11, 15)), note="慢性心不全。在宅酸素療法。"),
    ResidentSpec("ina", "小松 トミ", "コマツ トミ", D(1929, 1, 20), "female", "care_5",
                 f"{INA}境1420", "35.838300", "137.958500",
                 team=(("ina-caremanager-2", CM), ("ina-hospital-doctor", DR),
                       ("demo-nurse", NS), ("demo-helper", HH)),
                 flags=(EVAC,), primary_doctor="ina-hospital-doctor",
                 key_persons=(KP("小松 健二", "コマツ ケンジ", "長男", "0265-00-9003",
                                 f"{INA}境1420"),),
                 consent=_proxy(D(2025, 1, 10), "小松 健二", "長男")),
    ResidentSpec("ina", "北原 武", "キタハラ タケシ", D(1946, 6, 15), "male", "care_1",
                 f"{INA}上牧6601", "35.847800", "137.944900",
                 team=(("demo-caremanager", CM), ("demo-helper", HH)),
                 flags=(ALONE, HARDSHIP), phone="0265-00-3004",
                 key_persons=(KP("北原 由紀", "キタハラ ユキ", "姪", "0265-00-9004"),),
                 consent=_self(D(2025, 6, 2))),
    # No consent yet: the team sees only the basic card, with the banner.
    ResidentSpec("ina", "春日 キヨ", "カスガ キヨ", D(1933, 11, 2), "female", "care_4",
                 f"{INA}山寺2950", "35.841900", "137.953200",
                 team=(("demo-caremanager", CM), ("demo-nurse", NS), ("demo-doctor", DR)),
                 flags=(ELDERLY, EVAC), phone="0265-00-3005", primary_doctor="demo-doctor",
                 key_persons=(KP("春日 茂", "カスガ シゲル", "夫", "0265-00-3005"),)),
    ResidentSpec("ina", "唐澤 清", "カラサワ キヨシ", D(1939, 2, 28), "male", "support_2",
                 f"{INA}坂下3300", "35.826200", "137.960300",
                 team=(("ina-caremanager-2", CM), ("demo-pharmacist", PH)),
                 flags=(ALONE,), phone="0265-00-3006",
                 key_persons=(KP("唐澤 美香", "カラサワ ミカ", "長女", "0265-00-9006"),),
                 consent=_self(D(2025, 3, 21))),
    ResidentSpec("ina", "有賀 ハル", "アルガ ハル", D(1931, 7, 7), "female", "care_2",
                 f"{INA}美篶4600", "35.842800", "137.989200",
                 team=(("ina-caremanager-2", CM), ("demo-doctor", DR), ("demo-helper", HH),
                       ("ina-pt", RH)),
                 flags=(ELDERLY,), phone="0265-00-3007", primary_doctor="demo-doctor",
                 key_persons=(KP("有賀 明", "アルガ アキラ", "長男", "0265-00-9007"),),
                 consent=_self(D(2024, 8, 30))),
    # Consent revoked: history kept, the banner shows again.
    ResidentSpec("ina", "酒井 義雄", "サカイ ヨシオ", D(1944, 12, 10), "male", "care_1",
                 f"{INA}手良沢岡700", "35.865100", "138.009800",
                 team=(("demo-caremanager", CM), ("demo-doctor", DR)),
                 flags=(DISABLED,), phone="0265-00-3008", primary_doctor="demo-doctor",
                 key_persons=(KP("酒井 恵子", "サカイ ケイコ", "妻", "0265-00-3008"),),
                 consent=_self(D(2024, 10, 1), revoked_on=D(2025, 6, 30),
                               revocation_reason="本人の申し出（内容を家族と再検討するため）")),
    ResidentSpec("ina", "小池 ふみ", "コイケ フミ", D(1936, 3, 18), "female", "support_1",
                 f"{INA}東春近1900", "35.800400", "137.968200",
                 team=(("ina-caremanager-2", CM), ("demo-nurse", NS)),
                 flags=(ALONE,), phone="0265-00-3009",
                 key_persons=(KP("小池 誠", "コイケ マコト", "長男", "03-0000-9009",
                                 "東京都八王子市"),),
                 consent=_self(D(2025, 2, 14))),
    ResidentSpec("ina", "田中 勇", "タナカ イサム", D(1950, 5, 5), "male", "care_3",
                 f"{INA}西春近4800", "35.787500", "137.940300",
                 team=(("demo-caremanager", CM), ("ina-hospital-doctor", DR), ("ina-pt", RH),
                       ("demo-helper", HH)),
                 flags=(DISABLED,), phone="0265-00-3010", primary_doctor="ina-hospital-doctor",
                 key_persons=(KP("田中 久美子", "タナカ クミコ", "妻", "0265-00-3010"),),
                 consent=_self(D(2025, 7, 1), family=True), note="脳梗塞後遺症（右片麻痺）。"),
    ResidentSpec("ina", "宮下 サダ", "ミヤシタ サダ", D(1928, 8, 30), "female", "care_5",
                 f"{INA}高遠町西高遠1650", "35.833800", "138.061500",
                 team=(("ina-caremanager-2", CM), ("ina-hospital-doctor", DR), ("demo-nurse", NS)),
                 flags=(ELDERLY, EVAC), primary_doctor="ina-hospital-doctor",
                 key_persons=(KP("宮下 和夫", "ミヤシタ カズオ", "長男", "0265-00-9011"),),
                 consent=_proxy(D(2024, 12, 5), "宮下 和夫", "長男")),
    ResidentSpec("ina", "中村 浩", "ナカムラ ヒロシ", D(1953, 1, 15), "male", "business_target",
                 f"{INA}西箕輪3100", "35.862200", "137.925100",
                 team=(("ina-caremanager-2", CM), ("demo-pharmacist", PH)),
                 flags=(ALONE, HARDSHIP), phone="0265-00-3012",
                 key_persons=(KP("林 弘", "ハヤシ ヒロム", "成年後見人（司法書士）", "0265-00-9012",
                                 f"{INA}荒井3600", is_guardian=True),),
                 consent=_proxy(D(2025, 5, 20), "林 弘", "成年後見人")),
    ResidentSpec("ina", "林 美代子", "ハヤシ ミヨコ", D(1942, 10, 22), "female", "applying",
                 f"{INA}狐島4250", "35.822300", "137.968100",
                 team=(("demo-caremanager", CM), ("demo-doctor", DR)),
                 flags=(ELDERLY,), phone="0265-00-3013", primary_doctor="demo-doctor",
                 key_persons=(KP("林 俊彦", "ハヤシ トシヒコ", "夫", "0265-00-3013"),),
                 consent=_self(D(2025, 9, 9))),
    # 医療的ケア児: the lead is the 相談支援専門員, consent by a parent.
    ResidentSpec("ina", "竹内 ゆい", "タケウチ ユイ", D(2019, 8, 21), "female", "",
                 f"{INA}中央4700", "35.826200", "137.952200",
                 team=(("ina-soudan", CS), ("ina-hospital-doctor", DR), ("demo-nurse", NS)),
                 flags=(CHILD, DISABLED, EVAC), phone="0265-00-3014",
                 primary_doctor="ina-hospital-doctor",
                 key_persons=(KP("竹内 美咲", "タケウチ ミサキ", "母", "0265-00-3014"),
                              KP("竹内 大輔", "タケウチ ダイスケ", "父", "0265-00-3014")),
                 consent=_proxy(D(2025, 4, 18), "竹内 美咲", "母", family=True),
                 note="気管切開・胃ろう。たん吸引あり。停電時は人工呼吸器の電源確保が必要。"),
    ResidentSpec("ina", "松澤 ちよ", "マツザワ チヨ", D(1935, 5, 25), "female", "care_2",
                 f"{INA}長谷溝口1200", "35.794500", "138.075500",
                 team=(("demo-caremanager", CM), ("demo-nurse", NS), ("demo-helper", HH),
                       ("demo-pharmacist", PH)),
                 flags=(ALONE, EVAC), phone="0265-00-3015",
                 key_persons=(KP("松澤 隆", "マツザワ タカシ", "次男", "0265-00-9015"),),
                 consent=_self(D(2025, 8, 8))),
    # 広域連携: lives in 西箕輪 on the border with 南箕輪村; 南箕輪村's visiting nurse
    # (demo-other) is on his team through the 定住自立圏 Agreement (demo.agreements), which his
    # consent covers (cross-Network sharing).
    ResidentSpec("ina", "田中 一郎", "タナカ イチロウ", D(1942, 6, 3), "male", "care_2",
                 f"{INA}西箕輪2680", "35.868400", "137.937600",
                 team=(("demo-caremanager", CM), ("demo-doctor", DR), ("demo-other", NS)),
                 flags=(ELDERLY,), phone="0265-00-3016", primary_doctor="demo-doctor",
                 key_persons=(KP("田中 節子", "タナカ セツコ", "妻", "0265-00-3016"),
                              KP("唐澤 由美", "カラサワ ユミ", "長女", "0265-00-9016",
                                 f"{MINAMI}2210")),
                 consent=_self(D(2025, 5, 12), cross_network=True),
                 note="慢性閉塞性肺疾患（COPD）。在宅酸素療法（労作時2L/分）。"
                      "訪問看護は南箕輪村の事業所が週2回。"),
    # --- まっくん電子@連絡帳 (南箕輪村) ----------------------------------------------------
    ResidentSpec("minamiminowa", "唐木 よし子", "カラキ ヨシコ", D(1937, 2, 14), "female",
                 "care_2", f"{MINAMI}2380", "35.874100", "137.972200",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR), ("demo-other", NS)),
                 flags=(ALONE,), phone="0265-00-4001", primary_doctor="mk-doctor",
                 key_persons=(KP("唐木 浩一", "カラキ コウイチ", "長男", "0265-00-9101"),),
                 consent=_self(D(2025, 3, 3))),
    ResidentSpec("minamiminowa", "清水 実", "シミズ ミノル", D(1943, 7, 30), "male", "care_1",
                 f"{MINAMI}3150", "35.880500", "137.965100",
                 team=(("mk-caremanager", CM), ("mk-helper", HH)),
                 flags=(ELDERLY,), phone="0265-00-4002",
                 key_persons=(KP("清水 春江", "シミズ ハルエ", "妻", "0265-00-4002"),),
                 consent=_self(D(2025, 1, 22))),
    ResidentSpec("minamiminowa", "藤澤 シズ", "フジサワ シズ", D(1930, 10, 10), "female",
                 "care_4", f"{MINAMI}5120", "35.865000", "137.985800",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR), ("demo-other", NS),
                       ("mk-helper", HH)),
                 flags=(EVAC,), primary_doctor="mk-doctor",
                 key_persons=(KP("藤澤 修", "フジサワ オサム", "長男", "0265-00-9103"),),
                 consent=_proxy(D(2024, 9, 12), "藤澤 修", "長男")),
    ResidentSpec("minamiminowa", "原 英雄", "ハラ ヒデオ", D(1948, 4, 4), "male", "support_2",
                 f"{MINAMI}8304", "35.887000", "137.958000",
                 team=(("mk-caremanager", CM), ("mk-pharmacist", PH)),
                 flags=(ALONE,), phone="0265-00-4004",
                 key_persons=(KP("原 さとみ", "ハラ サトミ", "長女", "0265-00-9104"),),
                 consent=_self(D(2025, 5, 7))),
    # No consent yet.
    ResidentSpec("minamiminowa", "大槻 テル", "オオツキ テル", D(1932, 12, 1), "female",
                 "care_3", f"{MINAMI}4410", "35.871200", "137.979000",
                 team=(("mk-caremanager", CM), ("demo-other", NS)),
                 flags=(ELDERLY,), phone="0265-00-4005",
                 key_persons=(KP("大槻 功", "オオツキ イサオ", "夫", "0265-00-4005"),)),
    ResidentSpec("minamiminowa", "山崎 勝", "ヤマザキ マサル", D(1940, 9, 19), "male", "care_2",
                 f"{MINAMI}1260", "35.859600", "137.971100",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR), ("mk-pharmacist", PH)),
                 flags=(DISABLED,), phone="0265-00-4006", primary_doctor="mk-doctor",
                 key_persons=(KP("山崎 典子", "ヤマザキ ノリコ", "妻", "0265-00-4006"),),
                 consent=_self(D(2024, 7, 19))),
    ResidentSpec("minamiminowa", "荻原 ミツ", "オギハラ ミツ", D(1934, 6, 6), "female",
                 "care_1", f"{MINAMI}6802", "35.883000", "137.989000",
                 team=(("mk-caremanager", CM), ("demo-other", NS), ("mk-helper", HH)),
                 flags=(ALONE, EVAC), phone="0265-00-4007",
                 key_persons=(KP("荻原 聡", "オギハラ サトシ", "長男", "0265-00-9107"),),
                 consent=_self(D(2025, 6, 16))),
    ResidentSpec("minamiminowa", "加藤 和夫", "カトウ カズオ", D(1952, 3, 11), "male",
                 "business_target", f"{MINAMI}2951", "35.876800", "137.962000",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR)),
                 flags=(ALONE,), phone="0265-00-4008", primary_doctor="mk-doctor",
                 key_persons=(KP("加藤 雅子", "カトウ マサコ", "妹", "0265-00-9108"),),
                 consent=_self(D(2025, 2, 27))),
    ResidentSpec("minamiminowa", "平澤 ふさ", "ヒラサワ フサ", D(1929, 11, 23), "female",
                 "care_5", f"{MINAMI}4001", "35.873500", "137.981000",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR), ("demo-other", NS),
                       ("mk-pharmacist", PH)),
                 flags=(ELDERLY, EVAC), primary_doctor="mk-doctor",
                 key_persons=(KP("平澤 正", "ヒラサワ タダシ", "長男", "0265-00-9109"),),
                 consent=_proxy(D(2024, 10, 30), "平澤 正", "長男")),
    ResidentSpec("minamiminowa", "伊東 進", "イトウ ススム", D(1945, 8, 8), "male", "care_2",
                 f"{MINAMI}7000", "35.869200", "137.993500",
                 team=(("mk-caremanager", CM), ("mk-helper", HH)),
                 flags=(ALONE, HARDSHIP), phone="0265-00-4010",
                 key_persons=(KP("伊東 浩", "イトウ ヒロシ", "弟", "0265-00-9110"),),
                 consent=_self(D(2025, 4, 24))),
    ResidentSpec("minamiminowa", "上島 キミエ", "ウエジマ キミエ", D(1938, 1, 9), "female",
                 "support_1", f"{MINAMI}3605", "35.878800", "137.970000",
                 team=(("mk-caremanager", CM), ("demo-other", NS)),
                 phone="0265-00-4011",
                 key_persons=(KP("上島 茂樹", "ウエジマ シゲキ", "長男", "0265-00-9111"),),
                 consent=_self(D(2025, 8, 19))),
    ResidentSpec("minamiminowa", "城倉 勉", "シロクラ ツトム", D(1949, 5, 27), "male",
                 "applying", f"{MINAMI}1580", "35.862400", "137.966000",
                 team=(("mk-caremanager", CM), ("mk-doctor", DR)),
                 phone="0265-00-4012", primary_doctor="mk-doctor",
                 key_persons=(KP("城倉 陽子", "シロクラ ヨウコ", "妻", "0265-00-4012"),),
                 consent=_self(D(2025, 10, 2))),
    # Another 山田 in the other Network: a search for やまだ by 伊那市 staff must not find him.
    ResidentSpec("minamiminowa", "山田 正一", "ヤマダ ショウイチ", D(1936, 12, 24), "male",
                 "care_3", f"{MINAMI}2112", "35.872200", "137.968500",
                 team=(("mk-caremanager", CM), ("demo-other", NS), ("mk-doctor", DR)),
                 flags=(ELDERLY,), phone="0265-00-4013", primary_doctor="mk-doctor",
                 key_persons=(KP("山田 幸子", "ヤマダ サチコ", "妻", "0265-00-4013"),),
                 consent=_self(D(2025, 7, 14))),
]  # fmt: skip

# README.md's table, printed by scripts/run.sh too.
DEMO_LOGINS = [
    ("demo-operator", "伊那市の運営者（いーな電子@連絡帳）"),
    ("demo-doctor", "医師（山田 花子さんの主治医）"),
    ("demo-nurse", "看護師（山田 花子さんの訪問看護）"),
    ("demo-caremanager", "介護支援専門員（山田 花子さんのチームリーダー）"),
    ("demo-pharmacist", "薬剤師（山田 花子さんのチーム）"),
    ("demo-helper", "訪問介護員（山田 花子さんのチーム）"),
    ("demo-outsider", "伊那市の専門職（どのチームにも属さない）"),
    (
        "demo-other",
        "南箕輪村の看護師（まっくん電子@連絡帳）・伊那市の田中 一郎さんのチーム（広域連携）",
    ),
]
