# The model-router GitHub App service: gunicorn serving bot.app:create_app(), jobs in-process.
# A specific Python release on a specific Debian, pinned by the digest of its multi-platform index (read from
# public `docker pull` logs of python:3.11-slim = 3.11.14-slim-trixie, Dec 2025); Dependabot's docker ecosystem
# moves tag and digest together (.github/dependabot.yml).
FROM python:3.11.14-slim-trixie@sha256:193fdd0bbcb3d2ae612bd6cc3548d2f7c78d65b549fcaa8af75624c47474444d

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/model-router.db

RUN useradd --create-home --uid 10001 app && mkdir /data && chown app /data
WORKDIR /app

# Every dependency exactly as locked, each checked against its hashes (requirements/app.txt: the core, the
# `app` and `postgres` extras and the setuptools that builds the package; `make lock` regenerates it).
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements/app.txt

# The package itself (the `model-router` command): built offline with the locked setuptools, nothing resolved.
COPY pyproject.toml README.md LICENSE gunicorn.conf.py ./
COPY bot ./bot
RUN pip install --no-cache-dir --no-deps --no-index --no-build-isolation . && rm -rf build ./*.egg-info

USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=2)"
CMD ["model-router", "serve"]
