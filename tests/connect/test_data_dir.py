"""The local data folder and everything a local run writes in it are owner-only."""

import stat
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from connect.data_dir import secure_data_dir
from inventory.services import product_image_add
from tests.connect.test_settings import PROJECT, clean_environment, manage
from tests.inventory.factories import make_product


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def readable_by_others(folder: Path) -> list[str]:
    """Everything under `folder` (itself included) that a group or other user may use."""
    paths = [folder, *folder.rglob("*")]
    return sorted(
        f"{path} {mode(path):o}" for path in paths if not path.is_symlink() and mode(path) & 0o077
    )


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def open_folder(tmp_path: Path) -> Path:
    """A data folder as older versions left it: 0755 folders, 0644 files."""
    data = tmp_path / "data"
    (data / "broker" / "queue").mkdir(parents=True)
    for path in (data, data / "broker", data / "broker" / "queue"):
        path.chmod(0o755)
    for name in ("connect.sqlite3", "broker/queue/task.msg"):
        (data / name).write_text("x")
        (data / name).chmod(0o644)
    return data


def test_a_missing_data_folder_is_created_owner_only(tmp_path):
    data = tmp_path / "deep" / "data"
    secure_data_dir(data)
    assert mode(data) == 0o700


def test_an_existing_open_folder_and_its_content_become_owner_only(tmp_path):
    data = open_folder(tmp_path)
    (data / "executable").write_text("x")
    (data / "executable").chmod(0o755)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not part of the data")
    elsewhere.chmod(0o644)
    (data / "link").symlink_to(elsewhere)

    secure_data_dir(data)

    assert readable_by_others(data) == []
    assert mode(data / "connect.sqlite3") == 0o600
    assert mode(data / "broker" / "queue") == 0o700
    assert mode(data / "executable") == 0o700  # the owner keeps its own bits
    assert mode(elsewhere) == 0o644  # a link's target outside the folder is left alone


def test_a_folder_already_private_is_not_walked_again(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "inside").write_text("x")
    (data / "inside").chmod(0o644)  # unreachable by others: the folder is 0700
    secure_data_dir(data)
    assert mode(data / "inside") == 0o644


def test_every_process_start_fixes_an_existing_open_data_folder(tmp_path):
    data = open_folder(tmp_path)
    result = manage(clean_environment(data), "check")
    assert result.returncode == 0, result.stderr
    assert readable_by_others(data) == []


def test_make_migrate_writes_the_database_owner_only(tmp_path):
    """`make run` and `make migrate` run every process under umask 077."""
    data = tmp_path / "data"
    env = clean_environment(data)
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        ["make", "--no-print-directory", "migrate", f"CONNECT_DATA_DIR={data}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "connect.sqlite3").exists()
    assert readable_by_others(data) == []


def test_every_process_make_run_starts_runs_under_umask_077():
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "--no-print-directory", "run"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    commands = [
        line
        for line in result.stdout.splitlines()
        if "manage.py" in line or "run_procfile.py" in line
    ]
    assert len(commands) >= 4, result.stdout
    assert all(line.startswith("umask 077 && ") for line in commands), commands


@pytest.mark.django_db
def test_uploaded_media_is_owner_only_when_connect_serves_it(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    image = product_image_add(product=make_product("MUG-01"), content=png_bytes())
    assert mode(Path(image.file.path)) == 0o600
    assert mode(Path(image.file.path).parent) == 0o700
