from django.db import migrations

# (code, name, category): the 職種 list of the foundation issue, in display order.
OCCUPATIONS = [
    ("doctor", "医師", "medical"),
    ("dentist", "歯科医師", "medical"),
    ("pharmacist", "薬剤師", "medical"),
    ("nurse", "看護師", "medical"),
    ("assistant_nurse", "准看護師", "medical"),
    ("public_health_nurse", "保健師", "medical"),
    ("midwife", "助産師", "medical"),
    ("physical_therapist", "理学療法士", "medical"),
    ("occupational_therapist", "作業療法士", "medical"),
    ("speech_therapist", "言語聴覚士", "medical"),
    ("dietitian", "管理栄養士", "medical"),
    ("dental_hygienist", "歯科衛生士", "medical"),
    ("care_manager", "介護支援専門員", "care"),
    ("chief_care_manager", "主任介護支援専門員", "care"),
    ("certified_care_worker", "介護福祉士", "care"),
    ("home_helper", "訪問介護員", "care"),
    ("social_worker", "社会福祉士", "welfare"),
    ("psychiatric_social_worker", "精神保健福祉士", "welfare"),
    ("medical_social_worker", "医療ソーシャルワーカー", "welfare"),
    ("consultation_support_specialist", "相談支援専門員", "welfare"),
    ("life_support_coordinator", "生活支援コーディネーター", "welfare"),
    ("welfare_commissioner", "民生委員", "welfare"),
    ("paramedic", "救急隊員", "medical"),
    ("municipal_officer", "行政職員", "administration"),
    ("welfare_council_staff", "社会福祉協議会職員", "welfare"),
    ("welfare_equipment_advisor", "福祉用具専門相談員", "care"),
    ("judo_therapist", "柔道整復師", "medical"),
    ("massage_therapist", "あん摩マッサージ指圧師", "medical"),
    ("acupuncturist", "鍼灸師", "medical"),
    ("certified_psychologist", "公認心理師", "welfare"),
    ("childcare_worker", "保育士", "welfare"),
    ("child_instructor", "児童指導員", "welfare"),
    ("clerk", "事務職員", "administration"),
    ("other", "その他", "other"),
]


def seed(apps, schema_editor):
    Occupation = apps.get_model("accounts", "Occupation")
    for order, (code, name, category) in enumerate(OCCUPATIONS, start=1):
        Occupation.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Occupation").objects.filter(
        code__in=[code for code, _, _ in OCCUPATIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
