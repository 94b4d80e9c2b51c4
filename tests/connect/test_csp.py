"""The Content-Security-Policy every response carries, and templates that can live under it.

The browser tests check pages as rendered (tests/browser/csp.py); this catches a template that
breaks the policy before any browser runs, whoever adds it.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_ops

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# What the policy refuses: inline <script> code, style attributes and <style> blocks, inline
# event handlers (onclick=...), htmx's eval-based hx-on, javascript: links.
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_allows_only_connect_s_own_files(client, signed_in):
    if signed_in:
        client.force_login(make_ops())
    response = client.get("/sales/orders/" if signed_in else "/login/")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client):
    client.force_login(make_ops())
    assert "script-src 'self'" in client.get("/no-such-page/").headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_htmx_is_configured_not_to_need_eval_or_inline_styles(client):
    html = client.get("/login/").text
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html)
    assert config, "htmx-config meta missing"
    assert '"allowEval": false' in config[1]
    assert '"includeIndicatorStyles": false' in config[1]
    assert '"allowScriptTags": false' in config[1]
    assert '"style"' not in config[1]  # attributesToSettle without style


@pytest.mark.parametrize("rule", sorted(FORBIDDEN))
def test_no_template_needs_what_the_policy_refuses(rule):
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in FORBIDDEN[rule].finditer(path.read_text())
    ]
    assert offenders == [], f"{rule} in templates (move it to static/)"


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("<script>alert(1)</script>", "inline script"),
        ('<div style="color: red">', "style attribute"),
        ('<button onclick="go()">', "event handler attribute"),
        ('<form hx-on::after-request="x()">', "hx-on attribute"),
        ('<a href="javascript:void(0)">', "javascript: URL"),
        ("<style>p {}</style>", "style block"),
    ],
)
def test_the_template_rules_do_catch_each_kind(snippet, rule):
    assert FORBIDDEN[rule].search(snippet)


def test_a_script_file_or_a_data_block_is_fine():
    assert not FORBIDDEN["inline script"].search('<script src="/static/x.js" defer></script>')
