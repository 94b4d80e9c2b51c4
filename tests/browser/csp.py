"""Every browser test fails on a Content-Security-Policy violation.

`watch_csp(context, violations)` makes a browser context report each violation of its pages: a
listener for `securitypolicyviolation` installed before any page script runs, and Chromium's own
console messages about the policy (which also cover what happens before that listener exists).
The `browser` fixture (conftest.py) watches every context a test opens, so a page added later is
checked by the first test that visits it.
"""

import contextlib

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage

LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__connectCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
  });
}, true);
"""
# Console wording of Chromium's CSP refusals ("Refused to execute inline script because it
# violates the following Content Security Policy directive ...").
CONSOLE_MARK = "Content Security Policy"


def watch_csp(context: BrowserContext, violations: list[dict]) -> None:
    context.expose_binding(
        "__connectCspViolation", lambda source, violation: violations.append(violation)
    )
    context.add_init_script(LISTENER)

    def on_console(message: ConsoleMessage) -> None:
        if CONSOLE_MARK in message.text:
            violations.append(
                {"page": message.page.url if message.page else "", "console": message.text}
            )

    context.on("console", on_console)
    close = context.close

    def flush_then_close(*args, **kwargs):
        flush(context)
        return close(*args, **kwargs)

    context.close = flush_then_close


def flush(context: BrowserContext) -> None:
    """Let every page deliver the reports of what it already did."""
    for page in context.pages:
        if not page.is_closed():
            page.evaluate("() => new Promise((done) => setTimeout(done, 50))")


class CspWatchedBrowser:
    """The session's Chromium, whose every new context is watched (see module doc)."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._contexts: list[BrowserContext] = []
        self.violations: list[dict] = []

    def new_context(self, **kwargs) -> BrowserContext:
        context = self._browser.new_context(**kwargs)
        watch_csp(context, self.violations)
        self._contexts.append(context)
        return context

    def new_page(self, **kwargs):
        return self.new_context(**kwargs).new_page()

    def close_contexts(self) -> None:
        for context in self._contexts:
            # A context the test closed itself raises here; its reports are already in.
            with contextlib.suppress(Exception):
                context.close()

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


def describe(violations: list[dict]) -> str:
    return "\n".join(f"  - {violation}" for violation in violations)
