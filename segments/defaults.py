"""Starting values for settings that admins and marketers can change in the product. Migration 0004
stores them; code falls back on them where the rows were removed."""

IDENTIFIER_PRIORITY = ["crm_id", "email", "phone", "instagram", "x", "linkedin", "tiktok"]

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
HALF_LIFE_DAYS = 30.0
BOT_THRESHOLD = 0.8

SENSITIVE_ATTRIBUTES = {"gender": "sensitive", "birth_year": "sensitive", "age": "sensitive"}
BLOCKED_SEGMENT_TERMS = [
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
