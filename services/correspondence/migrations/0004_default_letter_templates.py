"""Three everyday letter templates in every town, so a new clerk has something to start from."""

from django.db import migrations

TEMPLATES = [
    {
        "name": "เชิญประชุม",
        "subject": "ขอเชิญประชุม",
        "body": "ด้วย[ชื่อหน่วยงาน]กำหนดจัดประชุม[ชื่อการประชุม] ในวันที่ [วันที่] เวลา [เวลา] ณ [สถานที่] "
        "เพื่อ[วัตถุประสงค์]\n\nจึงเรียนมาเพื่อโปรดเข้าร่วมประชุมตามวัน เวลา และสถานที่ดังกล่าว",
    },
    {
        "name": "ขอความอนุเคราะห์",
        "subject": "ขอความอนุเคราะห์",
        "body": "ด้วย[ชื่อหน่วยงาน]มีความประสงค์จะ[เรื่องที่ขอ] เพื่อ[วัตถุประสงค์]\n\n"
        "จึงเรียนมาเพื่อโปรดพิจารณาให้ความอนุเคราะห์ จะขอบคุณยิ่ง",
    },
    {
        "name": "แจ้งเพื่อทราบ",
        "subject": "แจ้ง",
        "body": "ด้วย[ข้อเท็จจริง]\n\nจึงเรียนมาเพื่อโปรดทราบ",
    },
    {
        "name": "บันทึกข้อความ (ภายใน) ขออนุมัติ",
        "kind": "internal",
        "subject": "ขออนุมัติ",
        "body": "ตามที่[ความเป็นมา] นั้น\n\n[ข้อเท็จจริงและข้อพิจารณา]\n\nจึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ",
        "closing": "",
    },
]


def add_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("correspondence", "LetterTemplate")
    for values in TEMPLATES:
        LetterTemplate.objects.get_or_create(name=values["name"], defaults=values)


def remove_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("correspondence", "LetterTemplate")
    LetterTemplate.objects.filter(name__in=[t["name"] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0003_letter_templates")]
    operations = [migrations.RunPython(add_templates, remove_templates)]
