"""One text normaliser before any matching: NFKC, and no zero-width or other format characters."""

from __future__ import annotations

from bot.config import RepoConfig
from bot.models import IssueInput
from bot.routing import route
from bot.routing.normalize import normalize


def test_ascii_text_is_returned_as_is() -> None:
    text = "Fix typo in README"
    assert normalize(text) is text


def test_zero_width_and_format_characters_are_removed() -> None:
    for ch in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\U000e0041"):
        assert normalize(f"pass{ch}word") == "password", repr(ch)


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalize("ｐａｓｓｗｏｒｄ") == "password"  # full-width letters
    assert normalize("ﬁle") == "file"  # ligature
    assert normalize("Café") == normalize("Cafe\u0301")  # composed either way


def test_variation_selectors_and_grapheme_joiners_are_removed() -> None:
    assert normalize("to\ufe0fken") == "token"
    assert normalize("se\u034fcret") == "secret"


def test_hidden_security_words_are_still_seen_by_the_router() -> None:
    cfg = RepoConfig()
    for title in ("Fix the pass\u200bword reset", "Rotate the ＡＰＩ key", "Fix typo in se\u00adcret handling"):
        assert route(IssueInput(title=title), cfg).security_sensitive, title


def test_security_label_with_hidden_characters_still_counts() -> None:
    d = route(IssueInput(title="Fix typo", labels=["secu\u200brity"]), RepoConfig())
    assert d.security_sensitive


def test_the_written_out_list_covers_every_format_character() -> None:
    import sys
    import unicodedata

    from bot.routing.normalize import INVISIBLE

    missing = [hex(cp) for cp in range(0x80, sys.maxunicode + 1)
               if unicodedata.category(chr(cp)) == "Cf" and cp not in INVISIBLE]
    assert missing == []
