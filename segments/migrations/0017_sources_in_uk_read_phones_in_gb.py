from django.db import migrations


def uk_to_gb(apps, schema_editor):
    # "UK" is not an ISO 3166 code: phone numbers of such a source were all rejected as invalid.
    DataSource = apps.get_model("segments", "DataSource")
    DataSource.objects.filter(default_region__in=["UK", "uk", "EN", "en"]).update(default_region="GB")


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0016_retention_keeps_rejections"),
    ]

    operations = [
        migrations.RunPython(uk_to_gb, migrations.RunPython.noop),
    ]
