"""Starting values admins and marketers can change: identifier trust order, blocked placeholder
values, engagement weights, retention periods and an interest taxonomy."""

from django.db import migrations

IDENTIFIER_PRIORITY = ["crm_id", "email", "phone", "instagram", "x", "linkedin", "tiktok"]
BLOCKED = [
    ("email", "test@example.com", "placeholder"),
    ("email", "test@test.com", "placeholder"),
    ("email", "noreply@example.com", "placeholder"),
    ("email", "none@none.com", "placeholder"),
    ("phone", "+10000000000", "placeholder"),
    ("phone", "+440000000000", "placeholder"),
]
ENGAGEMENT_WEIGHTS = {
    "view": 0.1,
    "page_view": 0.2,
    "like": 1.0,
    "save": 2.0,
    "click": 2.0,
    "email_open": 0.5,
    "email_click": 2.0,
    "follow": 2.0,
    "comment": 3.0,
    "message": 3.0,
    "share": 4.0,
    "purchase": 0.0,
}
RETENTION_DAYS = {"events": 1095, "import_files": 90, "rejected_rows": 90, "match_candidates": 180}
TOPICS = {
    "AI and data": [
        "ai",
        "artificialintelligence",
        "machinelearning",
        "deeplearning",
        "datascience",
        "bigdata",
        "ml",
        "data",
        "analytics",
    ],
    "Technology": ["tech", "technology", "iot", "gadgets", "software", "developer", "programming", "coding"],
    "Crypto and finance": [
        "crypto",
        "cryptocurrency",
        "blockchain",
        "bitcoin",
        "trading",
        "forex",
        "finance",
        "investing",
    ],
    "Fashion": ["fashion", "style", "ootd", "streetwear", "outfit"],
    "Beauty": ["beauty", "skincare", "makeup"],
    "Fitness": ["fitness", "workout", "gym", "running", "yoga", "health"],
    "Food": ["food", "foodie", "recipe", "vegan", "coffee"],
    "Travel": ["travel", "wanderlust", "holiday", "adventure"],
    "Sustainability": ["sustainability", "eco", "climate", "zerowaste", "green"],
    "Gaming": ["gaming", "gamer", "esports"],
    "Home and family": ["home", "family", "parenting", "interiors", "diy"],
    "Deals": ["sale", "discount", "deal", "offer", "coupon"],
}


def forward(apps, schema_editor):
    IdentifierPolicy = apps.get_model("segments", "IdentifierPolicy")
    BlockedIdentifier = apps.get_model("segments", "BlockedIdentifier")
    FeatureSettings = apps.get_model("segments", "FeatureSettings")
    RetentionPolicy = apps.get_model("segments", "RetentionPolicy")
    InterestTopic = apps.get_model("segments", "InterestTopic")
    for priority, kind in enumerate(IDENTIFIER_PRIORITY, start=1):
        IdentifierPolicy.objects.create(kind=kind, priority=priority, merges=True)
    for kind, value, reason in BLOCKED:
        BlockedIdentifier.objects.create(kind=kind, value=value, reason=reason)
    FeatureSettings.objects.create(
        id=1, engagement_weights=ENGAGEMENT_WEIGHTS, half_life_days=30, bot_threshold=0.8
    )
    for data_kind, days in RETENTION_DAYS.items():
        RetentionPolicy.objects.create(data_kind=data_kind, keep_days=days)
    for name, keywords in TOPICS.items():
        InterestTopic.objects.create(name=name, keywords=keywords)


def backward(apps, schema_editor):
    for model in [
        "IdentifierPolicy",
        "BlockedIdentifier",
        "FeatureSettings",
        "RetentionPolicy",
        "InterestTopic",
    ]:
        apps.get_model("segments", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("segments", "0003_audience_imports_identity_privacy_features")]

    operations = [migrations.RunPython(forward, backward)]
