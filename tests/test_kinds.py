"""Kinds of work from the text (issue #22, item 3): an online model over hashed n-grams tells unmatched issues
apart by what their words predict, only once the words have predicted better than the success rate."""

from __future__ import annotations

import random

from bot.config import RepoConfig
from bot.models import IssueInput, Tier
from bot.routing import route
from bot.routing.kinds import MIN_TRAINED, TextModel, features, text_kind
from bot.routing.learning import Knowledge, Observation

HARD = ["Intermittent {} sync failures under load", "{} totals drift after a retry"]
EASY = ["{} shows the wrong date after saving", "Wrong owner in the {} export"]
THINGS = ["invoice", "report", "user", "job", "team", "upload"]


def issue(template: str, rng: random.Random) -> IssueInput:
    return IssueInput(title=template.format(rng.choice(THINGS)))


def test_features_are_deterministic_hashed_words_labels_and_paths() -> None:
    a = IssueInput(title="Crash when the list is empty", labels=["bug"], changed_paths=["src/list.py"])
    assert features(a) == features(a.model_copy()) and len(features(a)) > 8
    assert set(features(a)) > set(features(IssueInput(title="Crash when the list is empty")))
    assert features(IssueInput(title="ｃｒａｓｈ")) == features(IssueInput(title="crash"))  # normalised first


def test_the_model_speaks_only_when_the_words_tell() -> None:
    rng = random.Random(3)
    model = TextModel()
    for i in range(200):
        hard = i % 2 == 0
        model.learn(features(issue(rng.choice(HARD if hard else EASY), rng)), not hard)
        if i < MIN_TRAINED - 1:
            assert model.bucket(features(issue(HARD[0], rng))) is None
    assert model.bucket(features(issue(HARD[0], rng))) == "hard"
    assert model.bucket(features(issue(EASY[0], rng))) == "easy"
    noise = TextModel()  # outcomes the words do not predict: the model keeps quiet
    for i in range(200):
        noise.learn(features(issue(rng.choice(HARD + EASY), rng)), rng.random() < 0.7)
    assert not noise.telling() and noise.bucket(features(issue(HARD[0], rng))) is None


def test_text_kinds_refine_only_what_no_rule_matched() -> None:
    rng = random.Random(5)
    k = Knowledge()
    for i in range(80):
        hard = i % 2 == 0
        feats = features(issue(rng.choice(HARD if hard else EASY), rng))
        k.add(Observation("o/r", "", "standard", Tier.haiku, not hard, 0.1, (), feats))
    assert text_kind("typo", IssueInput(title="Fix typo"), k.text) == "typo"
    assert text_kind("|bug", issue(HARD[1], rng), k.text) == "~hard|bug"
    assert text_kind("", issue(HARD[1], rng), None) == ""
    d = route(issue(HARD[0], rng), RepoConfig(), knowledge=k, repo="o/r")
    assert d.kind == "~hard"


def test_an_issue_is_hashed_once_for_the_replay_to_learn_and_the_router_to_name_its_kind() -> None:
    from bot.routing import kinds

    kinds._features.cache_clear()
    first = features(IssueInput(title="Flaky test in the parser", body="fails one run in ten", labels=["bug"]))
    again = features(IssueInput(title="Flaky test in the parser", body="fails one run in ten", labels=["bug"]))
    assert first == again and kinds._features.cache_info().hits == 1


def test_a_kind_is_bounded_however_many_rules_match() -> None:
    """The kind is a learning key and a state line's field, read back bounded (bot.models.MAX_KIND): the router
    never makes a longer one, however many long-named rules of the repository's config an issue matches."""
    from bot.models import MAX_KIND

    names = [f"area-{i:02d}-" + "x" * 40 for i in range(10)]
    config = RepoConfig.model_validate({"extra_patterns": [{"name": n, "words": ["typo"], "complexity": "trivial"}
                                                           for n in names]})
    d = route(IssueInput(title="Fix typo in README", labels=["docs"]), config)
    assert d.kind.startswith("area-00-") and len(d.kind) == MAX_KIND
