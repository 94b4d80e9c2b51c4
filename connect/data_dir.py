"""The local data folder is private to the user who runs Connect.

It holds the SQLite database (sessions, password hashes), the broker's task messages, the cache,
uploaded media and generated secrets: another local user able to read it could replay a session.
"""

import os
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PRIVATE_FOLDER = 0o700
NOT_OWNER_BITS = 0o077


def secure_data_dir(path: Path) -> None:
    """Create `path` owner-only, or make an existing one and everything in it owner-only.

    Once the folder is private nothing inside can be reached by others, so the walk over its
    content (for folders made before this rule) runs only while the folder itself is not.
    """
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    if not stat.S_IMODE(path.stat().st_mode) & NOT_OWNER_BITS:
        return
    try:
        for root, folders, files in os.walk(path):
            for name in (*folders, *files):
                _make_private(Path(root) / name)
        # The folder last: if the walk is interrupted, the next start walks again.
        os.chmod(path, PRIVATE_FOLDER)
    except PermissionError as error:
        raise ImproperlyConfigured(
            f"{path} can be read by other users and its modes cannot be changed ({error}): "
            f"run `chmod -R go-rwx {path}` as its owner, or point CONNECT_DATA_DIR elsewhere."
        ) from None


def _make_private(path: Path) -> None:
    mode = path.lstat().st_mode
    # A symbolic link has no mode of its own; what it points to is not ours to change.
    if stat.S_ISLNK(mode) or not stat.S_IMODE(mode) & NOT_OWNER_BITS:
        return
    os.chmod(path, stat.S_IMODE(mode) & ~NOT_OWNER_BITS)
