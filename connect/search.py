"""Search that ignores case and accents on every database: « CRÈME », « creme » and « Crème »
find the same products, « LÉA » finds Léa; and a phone number typed without its spaces
(« 0628 ») finds « 06 28 … ».

Both sides of the comparison are folded: in SQL by `Folded` — on PostgreSQL an expression of
its own functions (translate + lower: no extension, nothing to create), on SQLite
`connect_fold()`, registered on every connection (`register_sqlite_fold`) — and in Python by
`fold()`, which gives the same text.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Replace
from django.db.models.lookups import Contains

# The accented letters PostgreSQL's translate() folds, and what they become (one for one).
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy"
POSTGRES_FOLD = (
    f"replace(replace(lower(translate(%(expressions)s, '{ACCENTED}', '{PLAIN}')), "
    "'œ', 'oe'), 'æ', 'ae')"
)
PHONE_CHARACTERS = re.compile(r"[\d\s.+\-/()]+")
PHONE_SEPARATORS = (" ", ".", "-", "/", "(", ")", "\u00a0")


def fold(value: str | None) -> str | None:
    """Lower case without accents: what `connect_fold()` gives in SQL."""
    if value is None:
        return None
    text = value.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite gets `connect_fold()` from Python."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("connect_fold", 1, fold, deterministic=True)


class Folded(Func):
    """Lower case without accents, in SQL."""

    function = "connect_fold"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=POSTGRES_FOLD, **extra_context)


def text_search(fields: Iterable[str], query: str) -> Q:
    """Rows where one of `fields` contains `query`, ignoring case and accents."""
    folded = fold(query.strip())
    condition = Q()
    for field in fields:
        condition |= Q(Contains(Folded(F(field)), folded))
    return condition


def phone_search(field: str, query: str) -> Q:
    """Rows whose phone contains the digits typed, whatever separators either side uses; no
    condition (Q()) when the query does not look like a phone number."""
    query = query.strip()
    digits = "".join(char for char in query if char.isdigit() or char == "+")
    if len(digits) < 3 or not PHONE_CHARACTERS.fullmatch(query):
        return Q(pk__in=[])
    stripped = F(field)
    for separator in PHONE_SEPARATORS:
        stripped = Replace(stripped, Value(separator), Value(""))
    return Q(Contains(stripped, digits))
