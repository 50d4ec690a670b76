"""The one text normaliser used before any matching: NFKC, no invisible characters, confusables folded. Pure.

Untrusted text can hide a word from a matcher without changing how it reads: a zero-width space
inside "pass\u200bword", a soft hyphen, a bidi override, full-width letters ("ｐａｓｓｗｏｒｄ"), or a
letter of another script that looks Latin (Cyrillic "а" in "pаssword", Greek "ο" in "tοken"). Every
matcher (routing patterns, security labels, the security helpers) runs on `normalize(text)`, which folds
each such letter to its ASCII prototype from Unicode's confusables data (UTS #39, through the maintained
`confusable_homoglyphs` package, loaded only the first time non-ASCII text comes by).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["normalize", "INVISIBLE"]

# Unicode's format characters (category Cf, as of Unicode 15.1: zero-width space/joiners, bidi controls,
# soft hyphen, word joiner, BOM, tag characters, ...), written out because scanning the code space at
# start-up takes ~0.4 s. tests/test_routing_normalize.py checks the list against the running unicodedata.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
# ... and what else renders as nothing: variation selectors, Mongolian free variation selectors, the
# combining grapheme joiner.
_SELECTOR_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D), (0x180F, 0x180F), (0x034F, 0x034F))

INVISIBLE: dict[int, None] = {cp: None for a, b in (*_FORMAT_RANGES, *_SELECTOR_RANGES) for cp in range(a, b + 1)}


@lru_cache(maxsize=1)
def _skeleton() -> dict[int, str]:
    """Every non-ASCII character whose UTS #39 prototype is one ASCII character → that character.

    The skeleton's prototype of an upper-case letter that reads as "I" (Greek Ι, Cyrillic І) is "l";
    matching ignores case, so it is folded to "I" instead, as it reads."""
    from confusable_homoglyphs.confusables import confusables_data  # ~10 ms, only for non-ASCII text

    table: dict[int, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_ = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isprintable()]
        if ascii_:
            table[ord(char)] = "I" if ascii_[0] == "l" and char.isupper() else ascii_[0]
    return table


def normalize(text: str) -> str:
    """NFKC-folded text without invisible characters, look-alike letters as ASCII; ASCII text is returned as is."""
    if text.isascii():  # no format characters, compatibility forms or other scripts in ASCII
        return text
    folded = unicodedata.normalize("NFKC", text.translate(INVISIBLE)).translate(INVISIBLE)
    return folded if folded.isascii() else folded.translate(_skeleton())
