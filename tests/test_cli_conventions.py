"""CLI conventions: help that matches behaviour, and a clear line when the App's extra is not installed."""

from __future__ import annotations

import pytest

from bot.app import gunicorn_conf
from bot.cli import UsageError, build_parser
from bot.cli.serve import _needs_app_extra


def test_serve_threads_help_names_the_real_default():
    help_text = build_parser("serve")._subparsers._group_actions[0].choices["serve"].format_help()
    assert f"default {gunicorn_conf.threads}" in " ".join(help_text.split())


def test_service_commands_name_the_missing_extra():
    _needs_app_extra("json")  # present: nothing to say
    with pytest.raises(UsageError, match=r"needs no_such_module_x: pip install 'model-router\[app\]'"):
        _needs_app_extra("json", "no_such_module_x")
