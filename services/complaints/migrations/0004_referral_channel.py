from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0003_proof_referral_board'),
    ]

    operations = [
        migrations.AlterField(
            model_name='complaint',
            name='channel',
            field=models.CharField(choices=[('web', 'เว็บไซต์'), ('walk_in', 'ติดต่อด้วยตนเอง'), ('phone', 'โทรศัพท์'), ('bbuddy', 'อาสาสมัคร B-Buddy'), ('open311', 'แอป Open311'), ('line', 'LINE'), ('referral', 'ส่งต่อจากหน่วยงานอื่น')], default='web', max_length=10, verbose_name='ช่องทาง'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='status',
            field=models.CharField(choices=[('sending', 'กำลังส่ง'), ('delivered', 'ส่งถึงแล้ว'), ('declined', 'ปลายทางไม่รับเรื่อง'), ('failed', 'ส่งไม่สำเร็จ'), ('open', 'รอหน่วยงานดำเนินการ'), ('done', 'หน่วยงานดำเนินการแล้ว'), ('withdrawn', 'ดึงเรื่องกลับมาดำเนินการเอง')], max_length=12),
        ),
    ]
