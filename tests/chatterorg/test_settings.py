"""Settings: refuse to start without a secret key when DEBUG is off; pass the deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python in a clean environment: only what the test sets, plus PATH."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "chatterorg.settings",
        # Never the developer's database; the check commands do not touch it anyway.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'settings-test.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    # An empty key counts as none, and also wins over any key in a local .env file.
    result = run(
        ["-c", "import django; django.setup()"],
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_settings_start_without_a_secret_key_in_debug(tmp_path):
    result = run(
        ["-c", "import django; django.setup(); print('ok')"],
        tmp_path,
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_deploy_check_passes_with_debug_off_and_a_real_key(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="chatter.example.com",
        DJANGO_SITE_URL="https://chatter.example.com",
        # Django's deploy check refuses the development-only console mailer.
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
