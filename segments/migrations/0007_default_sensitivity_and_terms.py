"""Starting lists admins maintain: attributes that make a segment sensitive, and terms a segment's
name may not use."""

from django.db import migrations

SENSITIVE_ATTRIBUTES = [
    ("gender", "sensitive", "Targeting by gender needs a reason and an approval."),
    ("birth_year", "sensitive", "Age targeting can discriminate."),
    ("age", "sensitive", "Age targeting can discriminate."),
]
BLOCKED_TERMS = [
    "poor",
    "broke",
    "cheapskates",
    "deadbeats",
    "fat",
    "ugly",
    "stupid",
    "dumb",
    "lazy",
    "losers",
    "senile",
    "junkies",
    "illegals",
    "freeloaders",
]


def forward(apps, schema_editor):
    SensitiveAttribute = apps.get_model("segments", "SensitiveAttribute")
    BlockedSegmentTerm = apps.get_model("segments", "BlockedSegmentTerm")
    for attribute, sensitivity, reason in SENSITIVE_ATTRIBUTES:
        SensitiveAttribute.objects.create(attribute=attribute, sensitivity=sensitivity, reason=reason)
    for term in BLOCKED_TERMS:
        BlockedSegmentTerm.objects.create(term=term, reason="Stigmatising label")


def backward(apps, schema_editor):
    apps.get_model("segments", "SensitiveAttribute").objects.all().delete()
    apps.get_model("segments", "BlockedSegmentTerm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("segments", "0006_segments_versions_clustering")]

    operations = [migrations.RunPython(forward, backward)]
