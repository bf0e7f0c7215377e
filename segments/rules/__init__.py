"""Rule segments as data: the field catalogue, validation of a rule tree and its compilation to one
parameterised SQL query. Pure Python, no Django: the services in segments/services/rule_segments.py
give it the database's facts (other segments, sensitive attributes) and run what it compiles.

A definition is a group, {"op": "and" | "or", "rules": [condition | group, ...]}, for example

    {"op": "and", "rules": [
        {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
        {"field": "consent", "operator": "granted", "value": "marketing"},
        {"field": "events", "event_type": "comment", "platform": "instagram",
         "operator": ">=", "value": 3, "within_days": 30}]}
"""
