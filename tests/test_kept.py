"""bot.kept.Kept: the one per-process cache of a repository's slowly changing facts (labels, required checks, the
default branch): its age, its bound, and an amendment that does not make a stale entry fresh."""

from bot.issues.labels import KnownLabels
from bot.kept import Kept


def test_an_amendment_keeps_the_entrys_age_and_adds_nothing_when_none_is_kept():
    now = [0.0]
    kept: Kept[frozenset[str]] = Kept(ttl=10, clock=lambda: now[0])
    kept.amend("o/r", "", lambda names: names | {"x"})
    assert kept.get("o/r") is None
    kept.put("O/R", "", frozenset({"a"}))
    now[0] = 8
    kept.amend("o/r", "", lambda names: names | {"b"})
    assert kept.get("o/r") == {"a", "b"}
    now[0] = 11
    assert kept.get("o/r") is None  # put at 0, ttl 10: the amendment at 8 did not renew it


def test_known_labels_are_bounded_like_every_kept_fact():
    labels = KnownLabels(ttl=60, clock=lambda: 0.0)
    for i in range(1100):
        labels.put(f"o/r{i}", {"bug"})
    assert labels.get("o/r0") is None and labels.get("o/r1099") == {"bug"}
    labels.add("o/r1099", "Model:Haiku")
    assert labels.get("o/r1099") == {"bug", "model:haiku"}
