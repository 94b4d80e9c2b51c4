"""The integration pages in a real browser, against a live Hiboutik simulator: an admin sets up
an integration and runs a flow; an operator follows an error from the bell to its retry; the
API key never reaches a page; every tab fits a phone."""

import re

import pytest
from playwright.sync_api import expect

from integrations import runner
from integrations.models import FlowRun, FlowSchedule, Integration, IntegrationError
from integrations.services.schedules import schedules_ensure
from tests.browser.conftest import screenshot, session_cookie
from tests.browser.integration_flows import (
    PROBE_KEY,
    SALES_KEY,
    SalesImport,
    extra_flows,
    thread_worker,
)
from tests.factories import make_admin, make_ops, make_product, make_store, make_warehouse
from tests.hiboutik.conftest import simulator, simulator_factory  # noqa: F401 - fixtures
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.browser

API_KEY = "DEMOKEY"
TABS = ["configuration", "flows", "history", "errors", "events", "quota", "webhook"]


@pytest.fixture
def flows():
    with extra_flows():
        yield


@pytest.fixture
def worker(monkeypatch):
    with thread_worker(monkeypatch) as running:
        yield running


@pytest.fixture
def sim(simulator):  # noqa: F811
    """The demo account: demo@connect.test / DEMOKEY."""
    return simulator


class PageTexts:
    """Every page the browser showed, to search for what must never appear."""

    def __init__(self, page) -> None:
        self.texts: list[tuple[str, str]] = []
        page.on("response", self.keep)

    def keep(self, response) -> None:
        html = "text/html" in (response.headers.get("content-type") or "")
        if html and response.status == 200:
            self.texts.append((response.url, response.text()))

    def containing(self, secret: str) -> list[str]:
        return [url for url, text in self.texts if secret in text]


def test_admin_sets_up_a_hiboutik_integration_and_runs_a_flow(page, log_in, sim, flows, worker):
    make_store(name="Boutique Connect Paris")
    make_warehouse(name="Dépôt central")
    make_product(sku="TSHIRT-M", name="T-shirt M")
    texts = PageTexts(page)
    log_in(make_admin(username="claire"))

    page.goto("/integrations/")
    page.get_by_role("link", name="Ajouter une intégration").click()
    page.get_by_role("link", name="Hiboutik").click()
    screenshot(page, "integration-add")
    page.get_by_label(re.compile(r"^Nom")).fill("Boutique Paris")
    page.get_by_label("Compte Hiboutik").fill("demo")
    page.get_by_label("E-mail de l’utilisateur API").fill("demo@connect.test")
    page.get_by_label("Clé API").fill(API_KEY)
    page.get_by_label("Adresse de l’API (facultatif)").fill(sim.base_url)
    page.get_by_role("button", name="Créer l’intégration").click()

    expect(page.get_by_role("heading", name=re.compile("Boutique Paris"), level=1)).to_be_visible()
    expect(page.get_by_text("Intégration Boutique Paris créée")).to_be_visible()
    integration = Integration.objects.get(name="Boutique Paris")
    # The credentials work: Hiboutik's stores are offered in a list.
    hiboutik_store = page.get_by_label("Boutique Hiboutik (d’où viennent les ventes)")
    expect(hiboutik_store.locator("option", has_text="Boutique Saint-Denis (#2)")).to_have_count(1)
    hiboutik_store.select_option(label="Boutique Paris (#1)")
    page.get_by_label("Magasin Connect (reçoit les commandes)").select_option(
        label="Boutique Connect Paris"
    )
    mapping = page.get_by_label("Correspondance des références")
    mapping.fill("HB-TS-M:TSHIRT-M\nHB-CAP CASQUETTE")
    page.get_by_role("button", name="Enregistrer la configuration").click()

    expect(page.get_by_text("Rien n’a été enregistré")).to_be_visible()
    bad_line = re.compile(r"Ligne 2 \(HB-CAP CASQUETTE\) : format attendu")
    expect(page.get_by_text(bad_line)).to_be_visible()
    screenshot(page, "integration-config-error")
    integration.refresh_from_db()
    assert integration.config["order_import"]["sku_mapping"] == ""

    page.get_by_label("Correspondance des références").fill("HB-TS-M:TSHIRT-M")
    page.get_by_role("button", name="Enregistrer la configuration").click()
    expect(page.get_by_text("Configuration enregistrée.")).to_be_visible()
    integration.refresh_from_db()
    assert integration.config["order_import"]["sku_mapping"] == "HB-TS-M:TSHIRT-M"
    assert integration.config["order_import"]["hiboutik_store_id"] == 1
    assert integration.secret("api_key") == API_KEY  # kept: the field was left empty

    page.get_by_role("button", name="Tester la connexion").click()
    report = page.locator(".connection-report")
    expect(report).to_contain_text("Connexion réussie")
    expect(report).to_contain_text("Boutique Paris (#1)")
    screenshot(page, "integration-config")

    page.locator(".integration-tabs").get_by_role("link", name="Flux").click()
    card = page.locator(f'[data-flow="{PROBE_KEY}"]')
    card.get_by_role("button", name=re.compile("Activer, toutes les 5 minutes")).click()
    expect(card.get_by_test_id("schedule-text")).to_have_text("toutes les 5 minutes")
    schedule = FlowSchedule.objects.get(integration=integration, flow_key=PROBE_KEY)
    assert (schedule.enabled, schedule.every_minutes) == (True, 5)

    card.get_by_role("button", name="Exécuter maintenant").click()
    status = card.get_by_test_id("run-status")
    # The run is seen going on (pending or running), then finished, without reloading.
    expect(status).to_have_attribute("data-status", re.compile("pending|running"))
    page.evaluate("window.samePage = true")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(status).to_contain_text("2 vus")
    assert page.evaluate("window.samePage === true")
    run = FlowRun.objects.get(integration=integration, flow_key=PROBE_KEY)
    assert run.api_calls == 1
    screenshot(page, "integration-flows")

    status.get_by_role("link", name=f"#{run.pk}").click()
    expect(page.get_by_test_id("api-calls")).to_have_text("1")
    page.locator(".integration-tabs").get_by_role("link", name="Quota").click()
    expect(page.get_by_test_id("quota-calls")).to_have_text(str(sim.stats()["calls_this_month"]))
    page.locator(".integration-tabs").get_by_role("link", name="Webhook").click()
    expect(page.locator("#webhook-url")).to_have_value(re.compile(r"/webhooks/hiboutik/"))
    page.get_by_role("button", name="Enregistrer le webhook").click()
    expect(page.get_by_text("Le webhook est enregistré.")).to_be_visible()

    assert texts.texts
    assert texts.containing(API_KEY) == []


def test_operator_follows_an_error_from_the_bell_and_retries_it(page, log_in, sim, flows, worker):
    integration = hiboutik_integration_for(sim, name="Boutique Paris")
    schedules_ensure(integration)
    SalesImport.blocked = {"1002"}
    runner.run_flow(integration.pk, SALES_KEY, "schedule")
    error = IntegrationError.objects.get(integration=integration, record_id="1002")
    log_in(make_ops(username="marc"))

    page.goto("/sales/orders/")
    bell = page.locator("#notifications-menu summary")
    expect(bell.get_by_test_id("unread-count")).to_have_text("1")
    bell.click()
    alert = page.get_by_role("button", name=re.compile("sale 1002"))
    expect(alert).to_be_visible()
    alert.click()

    expect(page).to_have_url(
        re.compile(rf"/integrations/{integration.pk}/errors/\?error={error.pk}$")
    )
    expect(page.get_by_text(f"Seule l’erreur n° {error.pk} est affichée.")).to_be_visible()
    row = page.locator(f'tr[data-error="{error.pk}"]')
    expect(row).to_contain_text("ne sont pas en stock : TSHIRT-M")
    screenshot(page, "integration-errors")

    # Retried while the stock is still missing: the new message is shown.
    row.get_by_role("checkbox").check()
    page.get_by_label("Action", exact=True).select_option(label="Réessayer")
    page.get_by_role("button", name="Envoyer").click()
    result = page.locator(f'#error-results li[data-error="{error.pk}"]')
    expect(result).to_contain_text("Toujours en échec", timeout=15_000)
    expect(result).to_contain_text("ne sont pas en stock")

    # Once the retry ended the list reloads itself with the new attempt count.
    expect(page.locator(f'tr[data-error="{error.pk}"]').get_by_test_id("attempts")).to_have_text(
        "2"
    )

    # The stock is fixed: the retry imports it and says so.
    SalesImport.blocked = set()
    page.locator(f'tr[data-error="{error.pk}"]').get_by_role("checkbox").check()
    page.get_by_label("Action", exact=True).select_option(label="Réessayer")
    page.get_by_role("button", name="Envoyer").click()
    expect(result).to_contain_text("La commande a bien été importée", timeout=15_000)
    expect(page.locator(f'tr[data-error="{error.pk}"]')).to_contain_text("Résolue")
    screenshot(page, "integration-errors-retried")
    error.refresh_from_db()
    assert error.status == "resolved"

    # An operator cannot open the configuration.
    assert page.goto(f"/integrations/{integration.pk}/configuration/").status == 403


def test_no_integration_page_shows_the_api_key(page, log_in, sim, flows):
    integration = hiboutik_integration_for(sim, name="Boutique Paris")
    schedules_ensure(integration)
    SalesImport.blocked = {"1001"}
    runner.run_flow(integration.pk, SALES_KEY, "manual")
    runner.run_flow(integration.pk, PROBE_KEY, "manual")
    texts = PageTexts(page)
    log_in(make_admin())

    page.goto("/integrations/")
    for tab in TABS:
        page.goto(f"/integrations/{integration.pk}/{tab}/")
    run = FlowRun.objects.filter(integration=integration).first()
    page.goto(f"/integrations/{integration.pk}/runs/{run.pk}/")
    page.goto(f"/integrations/{integration.pk}/configuration/")
    page.get_by_role("button", name="Tester la connexion").click()
    expect(page.locator(".connection-report")).to_contain_text("Connexion réussie")

    assert len(texts.texts) >= len(TABS) + 2
    assert texts.containing(API_KEY) == []


def test_every_integration_tab_fits_a_phone(browser, site, sim, flows):
    integration = hiboutik_integration_for(sim, name="Boutique Saint-Denis de La Réunion")
    schedules_ensure(integration)
    SalesImport.blocked = {"1001", "1002"}
    runner.run_flow(integration.pk, SALES_KEY, "manual")
    context = browser.new_context(
        locale="fr-FR", base_url=site, viewport={"width": 375, "height": 812}
    )
    context.add_cookies([session_cookie(make_admin(), site)])
    phone = context.new_page()
    for path in ["/integrations/", "/integrations/add/?type=hiboutik"] + [
        f"/integrations/{integration.pk}/{tab}/" for tab in TABS
    ]:
        phone.goto(path)
        expect(phone.locator("h1")).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    screenshot(phone, "integration-errors-phone")
    context.close()
