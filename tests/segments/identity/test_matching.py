"""The probabilistic scorer on small frames, without a database."""

import pandas as pd

from segments.ml import matching


def people(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "first_name", "last_name", "city", "birth_year"])


NO_HANDLES = pd.DataFrame({"id": pd.Series([], dtype="int64"), "handle": pd.Series([], dtype=str)})


def test_a_typo_in_the_surname_is_still_a_likely_match_and_a_stranger_is_not():
    frame = people(
        (1, "Ada", "Lovelace", "London", 1985),
        (2, "Ada", "Lovelase", "London", 1985),
        (3, "Adam", "Lowe", "London", 1985),
    )
    result = matching.match_candidates(frame, NO_HANDLES)
    assert [(row.a, row.b) for row in result.candidates.itertuples()] == [(1, 2)]
    match = result.candidates.iloc[0]
    assert match["score"] >= matching.REVIEW_THRESHOLD
    assert (match["first_name"], match["last_name"], match["city"], match["birth_year"]) == (
        "exact",
        "close",
        "exact",
        "exact",
    )


def test_names_entered_the_other_way_round_compare_crosswise():
    frame = people((1, "Warrick", "Plane", "Noosa", 1986), (2, "Plane", "Warrick", "Noosa", 1986))
    match = matching.match_candidates(frame, NO_HANDLES).candidates.iloc[0]
    assert bool(match["names_swapped"]) and match["first_name"] == "exact"
    assert match["score"] >= matching.STRONG_THRESHOLD


def test_the_same_name_in_another_city_and_year_stays_below_the_review_threshold():
    frame = people((1, "John", "Smith", "Leeds", 1970), (2, "John", "Smith", "Bristol", 1991))
    scored = matching.score_pairs(
        *matching.prepare_people(frame, NO_HANDLES), pd.DataFrame({"a": [1], "b": [2]})
    )
    assert scored["score"].iloc[0] < matching.REVIEW_THRESHOLD
    assert matching.match_candidates(frame, NO_HANDLES).candidates.empty


def test_similar_handles_on_different_platforms_find_a_pair_without_a_city_or_birth_year():
    frame = people((1, "Grace", "Hopper", "", None), (2, "Grace", "Hoper", "", None))
    handles = pd.DataFrame({"id": [1, 2], "handle": ["grace.hopper", "gracehopper"]})
    match = matching.match_candidates(frame, handles).candidates.iloc[0]
    assert match["handle"] == "exact"  # letters only: dots and digits do not count
    without_handles = matching.match_candidates(frame, NO_HANDLES).candidates
    assert without_handles.empty or without_handles["score"].iloc[0] < match["score"]


def test_a_birth_year_one_digit_apart_counts_as_close():
    frame = people((1, "Ada", "King", "Leeds", 1985), (2, "Ada", "King", "Leeds", 1986))
    match = matching.match_candidates(frame, NO_HANDLES, threshold=0).candidates.iloc[0]
    assert match["birth_year"] == "close"


def test_oversized_blocks_are_split_or_skipped_not_compared_whole(monkeypatch):
    monkeypatch.setattr(matching, "MAX_BLOCK_SIZE", 3)
    frame = people(*[(i, f"N{i}", "Smith", "", 1980) for i in range(1, 8)])
    result = matching.match_candidates(frame, NO_HANDLES, threshold=0)
    assert result.blocks_skipped >= 1
    assert result.pairs_compared < 7 * 6 // 2


def test_an_empty_population_gives_no_candidates():
    result = matching.match_candidates(people(), NO_HANDLES)
    assert result.candidates.empty and result.pairs_compared == 0


def test_handles_made_of_the_same_name_but_different_numbers_are_different():
    frame = people((1, "Hugo", "Miller", "Cork", None), (2, "Hugo", "Miller", "Cork", None))
    own_numbers = pd.DataFrame({"id": [1, 2], "handle": ["hugo.miller3100", "hugomiller7631"]})
    same_number = pd.DataFrame({"id": [1, 2], "handle": ["hugo.miller3100", "hugo_miller3100"]})
    pair = pd.DataFrame({"a": [1], "b": [2]})
    apart = matching.score_pairs(*matching.prepare_people(frame, own_numbers), pair).iloc[0]
    together = matching.score_pairs(*matching.prepare_people(frame, same_number), pair).iloc[0]
    assert (apart["handle"], together["handle"]) == (1, 4)  # level codes: different, exact
    assert apart["score"] < together["score"]


def test_agreeing_on_a_common_surname_counts_for_less_than_on_a_rare_one():
    rare = people((1, "Ada", "Lovelace", "Leeds", 1985), (2, "Ada", "Lovelace", "Leeds", None))
    crowd = [(i, f"Name{i}", "Smith", f"Town{i}", 1950) for i in range(3, 40)]
    common = people((1, "Ada", "Smith", "Leeds", 1985), (2, "Ada", "Smith", "Leeds", None), *crowd)
    pair = pd.DataFrame({"a": [1], "b": [2]})
    rare_score = matching.score_pairs(*matching.prepare_people(rare, NO_HANDLES), pair)["score"].iloc[0]
    common_score = matching.score_pairs(*matching.prepare_people(common, NO_HANDLES), pair)["score"].iloc[0]
    assert common_score < rare_score
