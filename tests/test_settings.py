"""Settings fail closed. Each case starts a fresh interpreter, as a deployment would."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list

DEFAULT_SHOWN = "settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER"


def _boot(env: dict, shown: str = DEFAULT_SHOWN) -> subprocess.CompletedProcess:
    prefixes = ("DJANGO_", "DATABASE_URL", "CELERY_", "STORAGE_S3_", "CACHE_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    clean.update(env)
    code = f"import django; django.setup(); from django.conf import settings; print({shown})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )


def test_debug_is_off_and_a_secret_key_is_required_by_default():
    result = _boot({"DJANGO_SETTINGS_MODULE": "lbpb.settings"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_allowed_hosts_are_required_when_debug_is_off():
    result = _boot({"DJANGO_SETTINGS_MODULE": "lbpb.settings", "DJANGO_SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is required" in result.stderr


def test_the_embedded_default_is_sqlite_with_in_process_tasks():
    result = _boot({"DJANGO_SETTINGS_MODULE": "lbpb.settings", "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True"]


def test_production_urls_select_postgres_and_a_broker():
    result = _boot(
        {
            "DJANGO_SETTINGS_MODULE": "lbpb.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "edc.example.org",
            "DATABASE_URL": "postgres://u:p@db:5432/edc",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "False"]


def test_a_bucket_and_a_cache_url_select_object_storage_a_shared_cache_and_cached_sessions():
    shown = (
        "settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['bucket_name'], "
        "settings.STORAGES['default']['OPTIONS']['endpoint_url'], settings.CACHES['default']['BACKEND'], "
        "settings.SESSION_ENGINE"
    )
    env = {"DJANGO_SETTINGS_MODULE": "lbpb.settings", "DJANGO_DEBUG": "1"}
    result = _boot(
        env,
        "settings.STORAGES['default']['BACKEND'], settings.CACHES['default']['BACKEND'], "
        + ("settings.SESSION_ENGINE"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.files.storage.FileSystemStorage",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]
    shared = {
        **env,
        "STORAGE_S3_BUCKET": "edc-files",
        "STORAGE_S3_ENDPOINT_URL": "https://minio.example.org:9000",
        "CACHE_URL": "redis://redis:6379/1",
    }
    result = _boot(shared, shown)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "edc-files",
        "https://minio.example.org:9000",
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
    refused = _boot({**env, "CACHE_URL": "memcached://cache:11211"})
    assert refused.returncode != 0 and "CACHE_URL must be a Redis URL" in refused.stderr


def test_a_malformed_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_typed_helpers_parse_values(monkeypatch):
    monkeypatch.setenv("N", "42")
    monkeypatch.setenv("HOSTS", "a.org, b.org,")
    monkeypatch.setenv("FLAG", "yes")
    assert env_int("N", 1) == 42
    assert env_list("HOSTS") == ["a.org", "b.org"]
    assert env_bool("FLAG") is True
    monkeypatch.setenv("N", "4x")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1)
