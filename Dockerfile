# Production image: gunicorn serves the app, whitenoise its static files; the same image runs Celery.
#   python-deps: a virtualenv with the production packages only (requirements/production.txt)
#   assets:      npm's assets and collectstatic with production settings (bin/collectstatic, as CI runs it)
#   final:       the virtualenv, the code and the collected files; no Node, no build tools; a non-root user
FROM python:3.11-slim-bookworm AS python-deps
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/production.txt /tmp/requirements/production.txt
RUN pip install --no-cache-dir -r /tmp/requirements/production.txt

FROM python-deps AS assets
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
ENV DJANGO_STATIC_ROOT=/app/staticfiles
RUN bin/collectstatic

FROM python:3.11-slim-bookworm AS final
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_STATIC_ROOT=/app/staticfiles DJANGO_MEDIA_ROOT=/data/media
RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin edc \
    && mkdir -p /data/media && chown edc:edc /data/media
WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
# The code stays root-owned and read-only to the app user; only /data/media is writable.
COPY . .
COPY --from=assets /app/staticfiles /app/staticfiles
# The npm folders STATICFILES_DIRS names, so that the system checks of manage.py find them (a few MB).
COPY --from=assets /app/node_modules/bootstrap/dist /app/node_modules/bootstrap/dist
COPY --from=assets /app/node_modules/bootstrap-icons/font /app/node_modules/bootstrap-icons/font
USER edc
EXPOSE 8000
# core.middleware.HealthCheckMiddleware answers /health/ by address (no allowed host, no HTTPS redirect
# needed): 200 when the database answers, 503 (and so a failed check) when it does not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"]
CMD ["gunicorn", "lbpb.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
