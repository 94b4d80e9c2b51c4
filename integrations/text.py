"""Messages stored as untranslated ids with parameters, turned into text when shown.

Workers write errors, run reasons, log lines and notifications without any request, hence
without the reader's language: they store `gettext_noop("…%(name)s…")` and its parameters;
pages call `render_message()` in the reader's language. A message stored without parameters
is shown translated as is (a free-text message simply has no translation).
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext


def render_message(message: str, params: Mapping[str, Any] | None = None) -> str:
    if not message:
        return ""
    translated = gettext(message)
    if not params:
        return translated
    try:
        return translated % {key: _shown(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        # A translation that names a parameter the writer did not give must not break a page.
        try:
            return message % dict(params)
        except (KeyError, TypeError, ValueError):
            return message


def _shown(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value
