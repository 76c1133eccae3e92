"""deploy/: the Kubernetes manifest's YAML and how its parts fit together, and the Dockerfile's
sources, port and start command (the image cannot be built here)."""
import re
import tomllib
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
HEALTH = "/_stcore/health"


@pytest.fixture(scope="module")
def manifest():
    docs = [d for d in yaml.safe_load_all((ROOT / "deploy" / "k8s.yaml").read_text()) if d]
    return {d["kind"]: d for d in docs}


def _port_number(container, port):
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p.get("name") == port)


def test_the_manifest_has_a_deployment_a_service_and_an_ingress(manifest):
    assert set(manifest) == {"Deployment", "Service", "Ingress"}
    for doc in manifest.values():
        assert doc["apiVersion"] and doc["metadata"]["name"] == "nn-playground"


def test_the_pods_answer_their_probes_on_the_app_port(manifest):
    dep = manifest["Deployment"]["spec"]
    assert dep["selector"]["matchLabels"].items() <= dep["template"]["metadata"]["labels"].items()
    (container,) = dep["template"]["spec"]["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEALTH and _port_number(container, get["port"]) == 8501, probe
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 180      # room for a cold compile
    assert container["resources"]["requests"]["cpu"] in ("1", 1)              # one process, one core


def test_the_service_reaches_the_pods_and_the_ingress_the_service(manifest):
    dep, svc, ing = manifest["Deployment"]["spec"], manifest["Service"]["spec"], manifest["Ingress"]
    (container,) = dep["template"]["spec"]["containers"]
    assert svc["selector"].items() <= dep["template"]["metadata"]["labels"].items()
    (port,) = svc["ports"]
    assert _port_number(container, port["targetPort"]) == 8501
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == manifest["Service"]["metadata"]["name"]
    assert backend["port"].get("name") == port["name"] or backend["port"].get("number") == port["port"]


def test_the_ingress_keeps_a_browser_on_its_pod_and_its_websocket_open(manifest):
    notes = manifest["Ingress"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/affinity-mode"] == "persistent"
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600
    body = notes["nginx.ingress.kubernetes.io/proxy-body-size"]
    upload_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert int(body.rstrip("m")) > upload_mb                  # room for the largest upload and its envelope


def test_the_dockerfile_copies_what_the_app_needs_and_starts_it_warm():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", text, re.M)
    copied = [src for line in re.findall(r"^COPY (.+)$", text, re.M) for src in line.split()[:-1]]
    for src in copied:
        assert (ROOT / src).exists(), src
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    needed = {p.rstrip("*") for p in packages["include"]} | {"app.py", "app_pages", "assets", ".streamlit", "lessons"}
    assert needed <= set(copied), needed - set(copied)
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().split()
    assert {f"!{src}" for src in copied} <= set(ignore)
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].isdigit() and user[-1] != "0"    # numeric: Kubernetes' runAsNonRoot can check it
    cmd = re.search(r"^CMD (.+)$", text, re.M).group(1)
    assert cmd.index("engine.warmup") < cmd.index("streamlit run app.py")     # warm before serving
    assert "--server.port=8501" in cmd and re.search(r"^EXPOSE 8501$", text, re.M)
