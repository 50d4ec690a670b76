# The model-router GitHub App service: gunicorn serving bot.app:create_app(), jobs in-process.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/model-router.db

RUN useradd --create-home --uid 10001 app && mkdir /data && chown app /data
WORKDIR /app

# Installed the way the README installs it: the package with pip (plus the PostgreSQL driver).
COPY pyproject.toml README.md LICENSE gunicorn.conf.py ./
COPY bot ./bot
RUN pip install '.[postgres]'

USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=2)"
CMD ["model-router", "serve"]
