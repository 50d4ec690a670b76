"""The dashboard page as HTML: one Jinja template for the App (assets served from /dashboard/static) and for
`report --html` (the same page with Chart.js, the script and the styles inlined: one self-contained file)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

CHART_JS = "chart.umd.min.js"  # Chart.js 4 (MIT), vendored from the npm registry; see static/chart.js-LICENSE.md


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("bot.dashboard", "templates"), autoescape=select_autoescape(default=True))


@lru_cache(maxsize=4)
def asset(name: str) -> str:
    return (resources.files("bot.dashboard") / "static" / name).read_text(encoding="utf-8")


def _inline_script(text: str) -> str:
    return text.replace("</", "<\\/")  # a script body must not close its own tag


def render(data: dict[str, Any], *, static_url: str | None = None, **context: Any) -> str:
    """`static_url` None: inline every asset (a file to attach or publish); else link them from there."""
    inline = None
    if static_url is None:
        inline = {"css": asset("dashboard.css"), "chart": _inline_script(asset(CHART_JS)),
                  "script": _inline_script(asset("dashboard.js"))}
    return _env().get_template("dashboard.html").render(data=data, static_url=static_url, inline=inline,
                                                        chart_js=CHART_JS, **context)


def render_page(template: str, **context: Any) -> str:
    """Another page of the dashboard (sign-in), assets linked."""
    return _env().get_template(template).render(inline=None, **context)
