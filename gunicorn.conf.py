"""gunicorn reads this file from the working directory: the App's settings live in bot/app/gunicorn_conf.py."""

from bot.app.gunicorn_conf import *  # noqa: F401,F403
