# Production image: gunicorn serves the app, whitenoise its static files; the same image runs Celery.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock requirements-nodeps.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN DJANGO_DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --home /app edc && mkdir -p /data/media && chown -R edc /app /data
USER edc
EXPOSE 8000
CMD ["gunicorn", "lbpb.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
