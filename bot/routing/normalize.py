"""The one text normaliser used before any matching: NFKC, then no invisible characters. Pure.

Untrusted text can hide a word from a matcher without changing how it reads: a zero-width space
inside "pass\u200bword", a soft hyphen, a bidi override, full-width letters ("ｐａｓｓｗｏｒｄ"). Every
matcher (routing patterns, security labels, the security helpers) runs on `normalize(text)`.
"""

from __future__ import annotations

import unicodedata

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


def normalize(text: str) -> str:
    """NFKC-folded text without invisible characters; ASCII text (the common case) is returned as is."""
    if text.isascii():  # no format characters or compatibility forms in ASCII
        return text
    return unicodedata.normalize("NFKC", text.translate(INVISIBLE)).translate(INVISIBLE)
