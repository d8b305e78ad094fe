# The schema half of 0008, in its own transaction: PostgreSQL refuses to alter a
# table with pending trigger events from 0008's updates.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("participants", "0008_legal_gender"),
    ]

    operations = [
        migrations.AlterField(
            model_name='participant',
            name='gender',
            field=models.CharField(choices=[('kvinna', 'Woman'), ('man', 'Man')], editable=False, max_length=6, verbose_name='legal gender'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('gender', 'kvinna'), ('personnummer__regex', '^[0-9]{10}[02468]')), models.Q(('gender', 'man'), ('personnummer__regex', '^[0-9]{10}[13579]')), _connector='OR'), name='participant_gender_from_personnummer', violation_error_message='The legal gender does not match the personnummer.'),
        ),
    ]
