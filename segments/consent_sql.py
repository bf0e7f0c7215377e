"""Who consents to a purpose now, as the SQL every activation, export and analysis shares.

Consent is recorded per profile, as each source stated it, and merging moves no rows. A person is a
canonical profile with the profiles merged into it. What counts is the person's latest statement on
the purpose: the one on their own profile, or the latest one on the profiles merged into them,
whichever was recorded later (at the same moment, a withdrawal wins). A grant counts until it
expires. The few people with merged-in statements are sorted by time; everyone else's own row is
read as it is, joined once to that small set."""

# The purpose's placeholder appears this many times: positional callers repeat the parameter.
PURPOSE_USES = 2


def consenting_people_sql(purpose: str = "%s") -> str:
    """SQL selecting, once each, the canonical profile ids of the people who consent now to the
    purpose `purpose` stands for (a placeholder such as "%s" or "%(purpose)s"). It may also yield
    merged-away profiles by their own rows, which no question about a person asks for."""
    return f"""
    SELECT COALESCE(own.profile_id, elsewhere.person)
    FROM (SELECT * FROM segments_consent WHERE purpose = {purpose}) own
    FULL JOIN (
        SELECT DISTINCT ON (merged.merged_into_id) merged.merged_into_id AS person,
               said.granted, said.recorded_at, said.expires_at
        FROM segments_profile merged JOIN segments_consent said ON said.profile_id = merged.id
        WHERE merged.merged_into_id IS NOT NULL AND said.purpose = {purpose}
        ORDER BY merged.merged_into_id, said.recorded_at DESC, said.granted
    ) elsewhere ON elsewhere.person = own.profile_id
    WHERE CASE
        WHEN elsewhere.person IS NULL OR own.recorded_at > elsewhere.recorded_at
            THEN own.granted AND (own.expires_at IS NULL OR own.expires_at > now())
        WHEN own.profile_id IS NULL OR elsewhere.recorded_at > own.recorded_at
            THEN elsewhere.granted AND (elsewhere.expires_at IS NULL OR elsewhere.expires_at > now())
        ELSE own.granted AND elsewhere.granted AND (own.expires_at IS NULL OR own.expires_at > now())
    END"""
