"""Reading the environment: strict values, secrets generated once, Fernet keys, cache URLs."""

import os
import stat
import threading

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from connect.env import (
    cache_config,
    env_bool,
    env_int,
    env_list,
    fernet_keys,
    new_fernet_key,
    new_secret_key,
    persistent_secret,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=not expected) is expected


def test_env_bool_uses_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", default=True) is True
    monkeypatch.setenv("SOME_FLAG", "")
    assert env_bool("SOME_FLAG", default=True) is True


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("DEBUG", "flase")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='flase' is not a boolean"):
        env_bool("DEBUG")


def test_env_int_parses_defaults_and_refuses_garbage(monkeypatch):
    monkeypatch.delenv("A_NUMBER", raising=False)
    assert env_int("A_NUMBER", 7) == 7
    monkeypatch.setenv("A_NUMBER", " 42 ")
    assert env_int("A_NUMBER", 7) == 42
    monkeypatch.setenv("A_NUMBER", "12s")
    with pytest.raises(ImproperlyConfigured, match="A_NUMBER='12s' is not a whole number"):
        env_int("A_NUMBER", 7)
    monkeypatch.setenv("A_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="below its minimum of 1"):
        env_int("A_NUMBER", 7, minimum=1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , ,b.example,")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", "localhost") == ["localhost"]


def test_persistent_secret_is_generated_once_then_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("THE_SECRET", raising=False)
    path = tmp_path / "nested" / "the_secret"
    first = persistent_secret("THE_SECRET", path, new_secret_key)
    again = persistent_secret("THE_SECRET", path, new_secret_key)
    assert first == again == path.read_text()
    assert len(first) >= 50
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_persistent_secret_prefers_the_environment_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("THE_SECRET", "from-the-environment")
    path = tmp_path / "the_secret"
    assert persistent_secret("THE_SECRET", path, new_secret_key) == "from-the-environment"
    assert not path.exists()


def test_persistent_secret_gives_one_value_to_processes_starting_together(tmp_path, monkeypatch):
    monkeypatch.delenv("THE_SECRET", raising=False)
    path = tmp_path / "the_secret"
    results: list[str] = []
    start = threading.Barrier(8)

    def read() -> None:
        start.wait()
        results.append(persistent_secret("THE_SECRET", path, new_secret_key))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert set(results) == {path.read_text()}


def test_persistent_secret_names_an_empty_file(tmp_path, monkeypatch):
    monkeypatch.delenv("THE_SECRET", raising=False)
    path = tmp_path / "the_secret"
    path.write_text("  \n")
    with pytest.raises(ImproperlyConfigured, match=r"the_secret is empty: delete it"):
        persistent_secret("THE_SECRET", path, new_secret_key)


def test_fernet_keys_accepts_a_rotation_list():
    old, new = new_fernet_key(), new_fernet_key()
    keys = fernet_keys("FIELD_ENCRYPTION_KEY", f" {new}, {old} ,")
    assert keys == [new, old]
    token = Fernet(old.encode()).encrypt(b"api key")
    assert Fernet(keys[1].encode()).decrypt(token) == b"api key"


@pytest.mark.parametrize(
    "value",
    ["", " , ", "not-a-key", Fernet.generate_key().decode()[:-4]],
    ids=["empty", "only-commas", "not-base64", "truncated"],
)
def test_fernet_keys_refuses_what_cannot_encrypt(value):
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        fernet_keys("FIELD_ENCRYPTION_KEY", value)


def test_fernet_keys_names_the_bad_key_position():
    with pytest.raises(ImproperlyConfigured, match="key #2 is not a Fernet key"):
        fernet_keys("FIELD_ENCRYPTION_KEY", f"{new_fernet_key()},oops")


def test_cache_config_defaults_to_a_shared_folder(tmp_path):
    assert cache_config("", tmp_path) == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path),
    }
    assert cache_config("file:///srv/cache", tmp_path)["LOCATION"] == "/srv/cache"
    assert cache_config("file://", tmp_path)["LOCATION"] == str(tmp_path)


def test_cache_config_understands_redis_and_locmem(tmp_path):
    assert cache_config("redis://cache:6379/1", tmp_path) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/1",
    }
    assert cache_config("locmem://", tmp_path)["BACKEND"].endswith("LocMemCache")


def test_cache_config_refuses_an_unknown_scheme(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='memcached://x'"):
        cache_config("memcached://x", tmp_path)
