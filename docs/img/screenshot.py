"""Make docs/img/sticky-comment.png: the sticky comment the code renders, styled like GitHub, shot by headless Chromium.

    .venv/bin/pip install -e '.[docs]'      # markdown-it-py renders the Markdown as GitHub does (tables, HTML)
    .venv/bin/python docs/img/screenshot.py  # needs Debian's `chromium` (apt-get install -y chromium)

The comment is produced by `bot.issues.render.routing_comment` for a sample issue, exactly what the App and
the Action post; only the page around it (an issue timeline entry) is drawn here.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

from bot.config import RepoConfig
from bot.models import IssueInput
from bot.issues.render import routing_comment
from bot.routing import route

HERE = Path(__file__).resolve().parent
ISSUE = IssueInput(  # a multi-file change: Sonnet plans, Haiku executes
    title="Add a --verbose flag to the CLI",
    body="Print each step. Touches cli.py, output.py and tests.",
    changed_files=4,
)
CSS = """
body { margin: 0; padding: 16px; background: #fff; width: 760px;
  font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, "DejaVu Sans", sans-serif; color: #1f2328; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; border-radius: 6px 6px 0 0; color: #59636e; }
.head b { color: #1f2328; } .bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 6px; font-size: 12px; }
.body { padding: 4px 16px 12px; }
h3 { font-size: 1.25em; margin: 16px 0 12px; }
code { font: 85% ui-monospace, "DejaVu Sans Mono", monospace; background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
table { border-collapse: collapse; margin: 0 0 16px; } td, th { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; } thead th:empty { display: none; }
p, ul, details { margin: 0 0 12px; } summary { cursor: pointer; }
.labels { margin: 12px 0 0; } .label { display: inline-block; border-radius: 2em; padding: 0 8px; font-size: 12px;
  font-weight: 500; margin-right: 4px; }
"""


def comment_markdown() -> str:
    return routing_comment(route(ISSUE, RepoConfig()))


def page(markdown: str) -> str:
    """The comment as GitHub shows it in an issue's timeline (HTML comments such as the state line stay hidden)."""
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    decision = route(ISSUE, RepoConfig())
    labels = RepoConfig().labels
    chips = "".join(
        f'<span class="label" style="background:#{color}">{name}</span>'
        for name, color in (
            (labels.model_label(decision.tier), "c2e0c6"),
            (f"{labels.complexity_prefix}{decision.complexity.value}", "bfdadc"),
        )
    )
    return (
        f"<!doctype html><meta charset=utf-8><style>{CSS}</style><div class=comment>"
        f'<div class=head><b>model-router</b> <span class=bot>bot</span> commented</div>'
        f"<div class=body>{body}<div class=labels>{chips}</div></div></div>"
    )


def shoot(html: str, out: Path, *, height: int) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "comment.html"
        src.write_text(html, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
             f"--window-size=792,{height}", f"--screenshot={out}", src.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "sticky-comment.png")
    parser.add_argument("--height", type=int, default=556)
    parser.add_argument("--html", action="store_true", help="print the page instead of taking the picture")
    args = parser.parse_args(argv)
    html = page(comment_markdown())
    if args.html:
        print(html)
        return 0
    shoot(html, args.out, height=args.height)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
