from django.apps import apps
from django.utils import translation


def table_counts() -> dict[str, int]:
    """Row count of every inventory and sales table (to prove a failure wrote nothing)."""
    return {
        model._meta.label: model.objects.count()
        for app in ("inventory", "sales")
        for model in apps.get_app_config(app).get_models()
    }


def in_languages(show, *languages: str) -> tuple:
    """What `show()` gives with each language active in turn (default: French, English)."""
    results = []
    for language in languages or ("fr", "en"):
        with translation.override(language):
            results.append(show())
    return tuple(results)


def event_texts(event) -> tuple[str, str]:
    """An order event's text for a French reader, then for an English one."""
    return in_languages(event.text)
