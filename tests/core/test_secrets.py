"""Secrets come from the environment or are generated on first start into the var folder, which the repository
ignores; the repository itself holds no key material (SECURITY.md, "Secrets")."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

from portal.settings import ROOT
from portal.settings import Settings

# Built from parts, so that this file does not match its own patterns.
KEY_MATERIAL = re.compile(
    "|".join(
        [
            "-----" + r"BEGIN [A-Z ]*PRIVATE KEY" + "-----",  # PEM private keys (RSA, EC, VAPID, TLS)
            "sk_" + r"live_[0-9A-Za-z]{24,}",  # a live payment gateway key
            "AK" + r"IA[0-9A-Z]{16}",  # a cloud access key id
            "xox" + r"[bpas]-[0-9A-Za-z-]{20,}",  # a chat bot token
        ]
    )
)
KEY_FILES = re.compile(r"(^|/)(secret_key|[^/]*\.pem|[^/]*\.key|id_rsa[^/]*|\.env)$")


# What .gitignore leaves out of the repository, for a copy of it that is not a git checkout.
NOT_IN_REPOSITORY = {".git", ".venv", ".tools", "node_modules", "var", "vendor", "__pycache__", ".pytest_cache",
                     ".ruff_cache", ".benchmarks", "test-results", "screenshots"}  # fmt: skip


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode == 0:
        return [name for name in listed.stdout.decode().split("\0") if name]
    return [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file()
        and not NOT_IN_REPOSITORY & set(path.relative_to(ROOT).parts)
        and path.suffix not in (".mo", ".pot", ".pyc")
    ]


def _holds_key_material(path: Path) -> bool:
    try:
        return bool(KEY_MATERIAL.search(path.read_text(errors="ignore")))
    except OSError:
        return False


def test_the_check_finds_planted_key_material(tmp_path):
    planted = tmp_path / "leak.txt"
    planted.write_text("key = " + "-----" + "BEGIN EC PRIVATE KEY" + "-----\nMHcCAQEE\n")
    assert _holds_key_material(planted)
    planted.write_text("PAYMENT_SECRET_KEY=" + "sk_" + "live_" + "0123456789abcdefghijKLMN")
    assert _holds_key_material(planted)
    assert KEY_FILES.search("var/secret_key") and KEY_FILES.search("deploy/vapid_private.pem")
    planted.write_text("payment_secret_key: str = 'sk_test_portal'")
    assert not _holds_key_material(planted)


def test_the_repository_holds_no_key_material():
    files = _tracked_files()
    assert len(files) > 100  # the listing is the repository's, not an empty one
    assert [name for name in files if KEY_FILES.search(name)] == []
    assert [name for name in files if _holds_key_material(ROOT / name)] == []


def test_the_secret_key_is_generated_once_outside_the_repository_and_kept_private(tmp_path):
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "var/" in ignored  # the default place of the generated key is never committed

    first = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert len(first.secret_key) >= 64 and key_file.read_text() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)}).secret_key == first.secret_key  # kept
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path / "other")}).secret_key != first.secret_key
    given = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "SECRET_KEY": "from the environment"})
    assert given.secret_key == "from the environment"
