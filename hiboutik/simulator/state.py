"""The simulated account's data, and its persistence to a JSON file.

Everything lives in plain dicts so a snapshot is one ``json.dumps`` away; the owner (the
simulator) guards access with its shared lock (many readers or one writer), so nothing here
locks. Indexes derived from the catalogue (which rows a stock list holds, in which order) are
kept until a product changes, and each product's JSON answer until that product, its stock or
its images change, so that reading one page costs what the page holds, not what the catalogue
holds."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

FORMAT_VERSION = 1

TABLES = (
    "taxes",
    "stores",
    "warehouses",
    "categories",
    "brands",
    "suppliers",
    "size_types",
    "sizes",
    "products",
    "images",
    "customers",
    "inventory_inputs",
    "sales",
    "open_sales",
    "credit_notes",
    "webhooks",
)

# Keep the stats response and the state file bounded on long demo runs.
MAX_DELIVERIES = 1000
# Derived indexes kept at once (one per distinct stock-list filter, for instance).
MAX_DERIVED = 64


class StateFileError(RuntimeError):
    """The state file exists but cannot be used; it is left untouched."""


class State:
    def __init__(self) -> None:
        self.tables: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in TABLES}
        self.payment_types: dict[int, list[dict[str, Any]]] = {}
        # (warehouse_id, product_id, size_id) → units available
        self.stock: dict[tuple[int, int, int], int] = {}
        self.sequences: dict[str, int] = {}
        self.usage: dict[str, Any] = {"month": "", "calls": 0, "by_route": {}}
        self.deliveries: list[dict[str, Any]] = []
        self.catalogue_version = 0
        self._derived: dict[Hashable, tuple[int, Any]] = {}
        # product_id → its JSON answer, encoded; dropped when the product, its stock or its
        # images change (product_changed, move_stock, images_changed).
        self._product_json: dict[int, bytes] = {}
        self._product_json_base = ""  # the base URL the image URLs in them were made with

    # --- indexes derived from the catalogue ------------------------------------------------
    def catalogue_changed(self, product_id: int | None = None) -> None:
        """Call after a product is created or changed (with the writer lock held); without
        ``product_id``, after a change that may touch every product."""
        self.catalogue_version += 1
        if product_id is None:
            self._product_json.clear()
        else:
            self._product_json.pop(product_id, None)

    def images_changed(self, product_id: int) -> None:
        """Call after an image of ``product_id`` is stored or deleted (writer lock held)."""
        self._product_json.pop(product_id, None)

    def product_json(self, product_id: int, base_url: str, encode: Callable[[], bytes]) -> bytes:
        """The product's JSON answer, ``encode()``-d again only after it changed (or the
        simulator moved to another URL, which its image URLs name). Readers may race to encode
        the same product; they encode the same bytes."""
        if base_url != self._product_json_base:
            self._product_json.clear()
            self._product_json_base = base_url
        cached = self._product_json.get(product_id)
        if cached is None:
            cached = self._product_json[product_id] = encode()
        return cached

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, computed again only when the catalogue changed since the last time.
        Readers may race to build the same value; they build the same thing."""
        cached = self._derived.get(key)
        if cached is not None and cached[0] == self.catalogue_version:
            return cached[1]
        value = build()
        if len(self._derived) >= MAX_DERIVED:
            self._derived.clear()
        self._derived[key] = (self.catalogue_version, value)
        return value

    # --- rows ---------------------------------------------------------------------------
    def next_id(self, sequence: str) -> int:
        """Ids are never reused, even after a delete, as in a database sequence."""
        value = self.sequences.get(sequence, 0) + 1
        self.sequences[sequence] = value
        return value

    def insert(self, table: str, row: dict[str, Any], id_key: str) -> dict[str, Any]:
        """Store ``row`` under a new id, which becomes its first key; returns the stored row."""
        row_id = self.next_id(table)
        stored = {id_key: row_id, **{k: v for k, v in row.items() if k != id_key}}
        self.tables[table][row_id] = stored
        return stored

    def get(self, table: str, row_id: int) -> dict[str, Any] | None:
        return self.tables[table].get(row_id)

    def rows(self, table: str) -> list[dict[str, Any]]:
        return [self.tables[table][key] for key in sorted(self.tables[table])]

    # --- stock --------------------------------------------------------------------------
    def stock_of(self, warehouse_id: int, product_id: int, size_id: int) -> int:
        return self.stock.get((warehouse_id, product_id, size_id), 0)

    def move_stock(self, warehouse_id: int, product_id: int, size_id: int, delta: int) -> None:
        key = (warehouse_id, product_id, size_id)
        self.stock[key] = self.stock.get(key, 0) + delta
        self._product_json.pop(product_id, None)

    # --- webhook deliveries -----------------------------------------------------------------
    def record_delivery(self, delivery: dict[str, Any]) -> None:
        self.deliveries.append(delivery)
        del self.deliveries[:-MAX_DELIVERIES]

    # --- persistence --------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "tables": {
                name: {str(key): row for key, row in rows.items()}
                for name, rows in self.tables.items()
            },
            "payment_types": {str(key): rows for key, rows in self.payment_types.items()},
            "stock": [[w, p, s, q] for (w, p, s), q in sorted(self.stock.items())],
            "sequences": self.sequences,
            "usage": self.usage,
            "deliveries": self.deliveries,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a simulator state object")
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported format_version {data.get('format_version')!r}")
        state = cls()
        for name, rows in data["tables"].items():
            if name not in state.tables:
                raise ValueError(f"unknown table {name!r}")
            state.tables[name] = {int(key): row for key, row in rows.items()}
        state.payment_types = {int(key): rows for key, rows in data["payment_types"].items()}
        state.stock = {(int(w), int(p), int(s)): int(q) for w, p, s, q in data["stock"]}
        state.sequences = {str(k): int(v) for k, v in data["sequences"].items()}
        state.usage = dict(data["usage"])
        state.deliveries = list(data["deliveries"])
        return state


def save_state(state: State, path: Path) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(state.to_json(), ensure_ascii=False, separators=(",", ":"))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def load_state(path: Path) -> State:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return State.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StateFileError(
            f"cannot load simulator state from {path}: {exc}. The file was left as it is; "
            "move it away or fix it to start the simulator."
        ) from exc
