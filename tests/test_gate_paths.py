"""Security path globs: `**` semantics that fnmatch and PurePath.match get wrong."""

import pytest

from bot.routing.paths import PathMatch, match_paths, matches

DEFAULTS = ["**/auth/**", "**/*crypto*", "**/payments/**", "**/*secret*", ".github/workflows/**"]


@pytest.mark.parametrize(
    "path,pattern,expected",
    [
        ("auth/login.py", "**/auth/**", True),  # zero leading directories
        ("src/app/auth/login.py", "**/auth/**", True),
        ("src/auth/deep/er/x.py", "**/auth/**", True),
        ("src/oauth/login.py", "**/auth/**", False),  # a segment, not a substring
        ("src/authn/login.py", "**/auth/**", False),
        ("auth", "**/auth/**", False),  # the directory itself is not a file below it
        ("crypto.py", "**/*crypto*", True),
        ("lib/util/CryptoBox.java", "**/*crypto*", True),  # case-insensitive
        ("lib/crypto/readme.md", "**/*crypto*", False),  # * stays within the last segment
        (".github/workflows/ci.yml", ".github/workflows/**", True),
        ("sub/.github/workflows/ci.yml", ".github/workflows/**", False),  # anchored
        ("config/secrets.yaml", "**/*secret*", True),
        ("src/a.py", "src/*.py", True),
        ("src/x/a.py", "src/*.py", False),
        ("src/x/a.py", "src/**/a.py", True),
        ("src/a.py", "src/**/a.py", True),
        ("keys/id.pem", "*.pem", True),  # no slash: any directory
        ("id.pem", "*.pem", True),
        ("id.pem.txt", "*.pem", False),
        ("a/b.c", "a/?.c", True),
        ("a/bb.c", "a/?.c", False),
        ("a/b.c", "a/[abc].c", True),
        ("a/d.c", "a/[!abc].c", True),
        ("a/b.c", "a/[!abc].c", False),
        ("deploy/prod/x", "deploy/", True),  # trailing slash: everything below
        ("x/deploy/prod", "/deploy/**", False),
        ("anything/at/all", "**", True),
        ("a+b(c).py", "a+b(c).py", True),  # regex metacharacters are literal
        ("aXb", "a**b", True),
        ("a/b", "a**b", False),
    ],
)
def test_glob(path, pattern, expected):
    assert matches(path, pattern) is expected


def test_match_paths_reports_first_pattern_per_path():
    paths = ["README.md", "src/auth/session.py", "lib/crypto_utils.py", ".github/workflows/release.yml"]
    assert match_paths(paths, DEFAULTS) == [
        PathMatch("src/auth/session.py", "**/auth/**"),
        PathMatch("lib/crypto_utils.py", "**/*crypto*"),
        PathMatch(".github/workflows/release.yml", ".github/workflows/**"),
    ]


def test_blank_patterns_match_nothing():
    assert match_paths(["a.py"], ["", "   "]) == []
