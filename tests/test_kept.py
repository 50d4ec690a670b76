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


def test_forgetting_a_repository_drops_each_of_its_entries_and_no_other():
    kept: Kept[tuple[str, ...]] = Kept(ttl=300, clock=lambda: 0.0)
    for repo, base in (("o/r", "main"), ("O/R", "release"), ("o/r2", "main"), ("o/rr", ""), ("x/r", "main")):
        kept.put(repo, base, (repo, base))
    assert kept.forget("O/r") == 2
    assert kept.get("o/r", "main") is None and kept.get("o/r", "release") is None
    assert kept.get("o/r2", "main") == ("o/r2", "main") and kept.get("o/rr") == ("o/rr", "")
    assert kept.get("x/r", "main") == ("x/r", "main")
    assert kept.forget("o/r") == 0  # nothing kept: nothing to do
    kept.put("o/r", "main", ("again",))  # a later read is kept as before
    assert kept.get("o/r", "main") == ("again",)


def test_forgetting_an_owner_drops_its_repositories_only():
    kept: Kept[str] = Kept(ttl=300, clock=lambda: 0.0)
    for repo in ("org/a", "Org/b", "org2/a", "xorg/a"):
        kept.put(repo, "main", repo)
    assert kept.forget_owner("ORG") == 2
    assert [kept.get(r, "main") for r in ("org/a", "org/b", "org2/a", "xorg/a")] == [None, None, "org2/a", "xorg/a"]


def test_known_labels_forget_a_repository():
    labels = KnownLabels(ttl=60, clock=lambda: 0.0)
    labels.put("o/r", {"bug"})
    labels.put("o/s", {"bug"})
    labels.forget("O/R")
    assert labels.get("o/r") is None and labels.get("o/s") == {"bug"}
