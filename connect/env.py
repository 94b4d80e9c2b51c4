"""Reading settings from the environment, with defaults that need no external service."""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def persistent_secret(name: str, path: Path, make) -> str:
    """The variable's value, or one generated once into `path` and reused on every later start.

    A fresh machine gets working secrets without any set-up; a deployment sets the variable.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written with restrictive permissions: these are the keys to the data at rest.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()
