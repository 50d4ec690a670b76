"""Issue #23 finding 6: letters from other scripts that look like Latin ones (homoglyphs) cannot hide security
work from the offline rules; matching sees Unicode's confusables skeleton (UTS #39)."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.models import IssueInput, Tier
from bot.routing import route
from bot.routing.normalize import normalize


@pytest.mark.parametrize("title", [
    "Fix the p\u0430ssword reset form",            # Cyrillic а
    "Rotate the access t\u03bfken every week",      # Greek ο
    "Simplify \u0430uth middleware",                # Cyrillic а in "auth"
    "Store the \u0455\u0435cr\u0435t in the vault",  # Cyrillic ѕ, е
    "Refresh the b\u0435\u0430r\u0435r token",      # Cyrillic е, а
    "Handle \u0410PI K\u0415Y rotation",            # Cyrillic capitals А, Е
    "Rename the \u03a1\u0391SSWORD field",          # Greek capitals Ρ, Α
    "Check the l\u043egin \u0441r\u0435d\u0435nti\u0430ls",  # Cyrillic о, с, е, а
])
def test_homoglyph_security_words_get_the_security_floor(title):
    d = route(IssueInput(title=title, body="Small change."), RepoConfig())
    assert d.security_sensitive, title
    assert d.tier is not Tier.haiku


def test_the_skeleton_folds_other_scripts_and_leaves_real_words_alone():
    assert normalize("p\u0430ssw\u03bfrd").lower() == "password"
    assert normalize("\u0410\u0412\u0421") == "ABC"  # Cyrillic capitals
    assert normalize("\u0399D") == "ID"  # Greek capital iota reads as I here, not as the skeleton's l
    assert normalize("naïve café") == "naïve café"  # Latin letters with accents are not confusables
    assert normalize("plain ascii") == "plain ascii"


def test_a_security_label_spelled_with_homoglyphs_still_counts():
    d = route(IssueInput(title="Fix typo", labels=["s\u0435curity"]), RepoConfig())
    assert d.security_sensitive
