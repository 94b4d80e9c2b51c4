"""docker-compose.yml and the Dockerfile, checked by reading them (Docker does not run in CI).

They must keep describing a deployment that works: the roles exist, workers can be scaled,
beat cannot, everything waits for the migrations, and each command is one the code accepts.
"""

import re
import subprocess
import sys
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def command_of(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_every_role_of_a_deployment_is_a_service(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "simulator",
        "proxy",
    }
    assert command_of(compose["services"]["web"]).startswith("gunicorn connect.wsgi:application")
    assert "celery --app=connect worker" in command_of(compose["services"]["worker"])
    assert "celery --app=connect beat" in command_of(compose["services"]["beat"])
    assert command_of(compose["services"]["migrate"]) == "python manage.py migrate --noinput"


def test_the_app_runs_on_postgres_redis_and_shared_secrets(compose):
    for name in (*APP_SERVICES, "simulator"):
        environment = compose["services"][name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://connect:")
        assert environment["DATABASE_URL"].endswith("@postgres:5432/connect")
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert environment["CACHE_URL"].startswith("redis://redis:6379/")
        # Required (":?"): every container must encrypt and sign with the same keys.
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert environment["FIELD_ENCRYPTION_KEY"].startswith("${FIELD_ENCRYPTION_KEY:?")


def test_workers_scale_and_beat_stays_single(compose):
    worker = compose["services"]["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    beat = compose["services"]["beat"]
    assert beat["container_name"]  # compose refuses --scale beat=2 with a fixed name


def test_app_services_start_after_healthy_services_and_migrations(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["redis"]


def test_media_and_data_live_in_named_volumes(compose):
    declared = set(compose["volumes"])
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/data/media" in services[name]["volumes"]
        assert services[name]["environment"]["MEDIA_ROOT"] == "/data/media"
    mounted = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
    }
    assert mounted <= declared
    assert {"postgres-data", "redis-data", "media"} <= mounted


def test_simulator_is_a_demo_profile_with_options_it_accepts(compose):
    simulator = compose["services"]["simulator"]
    assert simulator["profiles"] == ["demo"]
    arguments = simulator["command"]
    assert arguments[:3] == ["python", "-m", "hiboutik.simulator"]
    help_text = subprocess.run(
        [sys.executable, "-m", "hiboutik.simulator", "--help"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for option in arguments[3:]:
        assert option.split("=")[0] in help_text
    assert "--host=0.0.0.0" in arguments  # reachable from the other containers


def default_of(value: str) -> str:
    """The default of a `${NAME:-default}` interpolation."""
    match = re.fullmatch(r"\$\{[A-Z_]+:-([^}]*)\}", value)
    assert match, value
    return match[1]


def test_web_is_published_on_the_host_s_loopback_only(compose):
    ports = compose["services"]["web"]["ports"]
    assert ports and all(port.startswith("127.0.0.1:") for port in ports)
    published = {name for name, service in compose["services"].items() if "ports" in service} - {
        "web",
        "simulator",
    }
    assert published == {"proxy"}


def test_forwarding_headers_are_believed_from_the_proxy_s_fixed_address_only(compose):
    services = compose["services"]
    proxy_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    trusted = services["web"]["environment"]["TRUSTED_PROXIES"]
    assert trusted == proxy_address
    assert f"--forwarded-allow-ips={proxy_address}" in services["web"]["command"]
    subnet = compose["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ip_address(default_of(proxy_address)) in ip_network(default_of(subnet))
    assert "edge" in services["web"]["networks"]
    # The proxy passes the client's address and scheme on to web, over HTTPS.
    assert command_of(services["proxy"]).startswith("caddy reverse-proxy --from ")
    assert command_of(services["proxy"]).endswith("--to web:8000")


def test_dockerfile_pins_its_base_image_and_installs_the_locked_packages():
    dockerfile = (PROJECT / "Dockerfile").read_text()
    assert re.search(
        r"^FROM python:3\.1[1-9][\w.-]*@sha256:[0-9a-f]{64}$", dockerfile, flags=re.MULTILINE
    )
    assert "COPY requirements/runtime.txt" in dockerfile
    assert re.search(r"pip install --require-hashes --no-deps -r \S*requirements", dockerfile)
    assert "pyproject.toml" not in dockerfile  # nothing resolved at build time


def test_dockerfile_builds_static_files_and_runs_unprivileged():
    dockerfile = (PROJECT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", dockerfile, flags=re.MULTILINE)
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER connect$", dockerfile, flags=re.MULTILINE)
    assert 'CMD ["gunicorn", "connect.wsgi:application"' in dockerfile


def test_local_state_and_secrets_stay_out_of_the_image():
    ignored = (PROJECT / ".dockerignore").read_text().split()
    assert {".env", ".local/", ".venv/", ".git/"} <= set(ignored)


def test_env_example_lists_every_variable_the_compose_file_reads():
    compose_text = (PROJECT / "docker-compose.yml").read_text()
    example = (PROJECT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_text))
    assert {"POSTGRES_PASSWORD", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"} <= read
    assert read - listed == set()
