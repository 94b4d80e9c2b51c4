"""Reading settings from the environment, with defaults that need no external service.

A value that cannot be understood stops the start-up with ImproperlyConfigured naming the
variable: a typo in `DEBUG` or a truncated key must never silently become another setting.
"""

import os
import secrets
import time
from collections.abc import Callable
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use one of "
        f"{', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below its minimum of {minimum}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str = "") -> list[str]:
    """Comma-separated IP addresses or networks (`10.0.0.2`, `172.30.8.0/29`, `::1`)."""
    networks = []
    for entry in env_list(name, default):
        try:
            networks.append(str(ip_network(entry, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an IP address or network."
            ) from None
    return networks


def persistent_secret(name: str, path: Path, make: Callable[[], str]) -> str:
    """The variable's value, or one generated once into `path` and reused on every later start.

    A fresh machine gets working secrets without any set-up; a deployment sets the variable.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: when several processes start at once (web, worker, beat, test workers),
        # exactly one writes the secret and the others read that same value.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(name, path)
    value = make()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _read_secret(name: str, path: Path) -> str:
    # The writer may not have finished: an empty file is only a problem if it stays empty.
    for _attempt in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.02)
    raise ImproperlyConfigured(
        f"{path} is empty: delete it to generate a new {name}, or set {name} in the environment."
    )


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def fernet_keys(name: str, value: str) -> list[str]:
    """The comma-separated Fernet keys in `value`, each checked: the first encrypts, all decrypt."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} is empty: it needs at least one Fernet key.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{name}: key #{position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes); generate one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`."
            ) from None
    return keys


def cache_config(url: str, default_dir: Path) -> dict:
    """Django's CACHES["default"] for `url`: redis://..., file:///abs/path, file:// or locmem://.

    The cache must be shared by the web server and the workers (the worker heartbeat is read
    from it), so the default is a folder on disk rather than per-process memory.
    """
    scheme = urlsplit(url).scheme if url else "file"
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "file":
        location = urlsplit(url).path if url else ""
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location or str(default_dir),
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r}: use redis://host:port/db, file:///absolute/folder or locmem://."
    )


def load_env_file(path: Path) -> None:
    """Add the `NAME=value` lines of `path` (a `.env` file) to the environment.

    Variables already set win, so the real environment overrides the file. A missing file is
    fine; a line that is not `NAME=value` stops the start-up with its line number.
    """
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value, got {line!r}.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(name, value)
