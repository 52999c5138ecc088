"""What an app developer and an operator need around the API, on real servers: CORS for browser apps on other
origins, Prometheus metrics, readiness, a request id on every response, and JSON access logs."""

import json
import subprocess
import sys
import time

import httpx

from tests.conftest import ROOT, free_port, serving

APP = "https://app.example.com"


def test_no_cors_unless_origins_are_set(client):
    preflight = client.options("/api/search", headers={"Origin": APP, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": APP}).headers


def test_cors_for_the_origins_set(seed_settings):
    with serving(seed_settings.storage.index_dir, env={"BERITA_CORS_ORIGINS": APP}) as base:
        with httpx.Client(base_url=base, timeout=60) as c:
            preflight = c.options(
                "/api/documents/x",
                headers={
                    "Origin": APP,
                    "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
            assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == APP
            assert "PUT" in preflight.headers["access-control-allow-methods"]
            r = c.get("/api/search", params={"q": "Allmed"}, headers={"Origin": APP})
            assert r.headers["access-control-allow-origin"] == APP
            assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
            other = c.get("/api/search", params={"q": "Allmed"}, headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers


def test_metrics_count_requests_by_route_and_time_the_stages(client):
    client.get("/api/search", params={"q": "berapa nilai investasi Allmed?"})
    client.get("/api/documents/002_40828a4ac6eca9be")
    text = client.get("/metrics").text
    assert 'berita_requests_total{method="GET",route="/api/search",status="200"}' in text
    assert 'route="/api/documents/{doc_id:path}"' in text and "002_40828a4ac6eca9be" not in text  # templates
    assert 'berita_search_stage_seconds_count{stage="retrieve"}' in text
    assert 'berita_search_stage_seconds_count{stage="answer"}' in text
    assert "berita_index_passages " in text and 'model="multilingual-e5-small"' in text


def test_ready_once_the_models_have_answered(client):
    deadline = time.monotonic() + 60
    while (r := client.get("/readyz")).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert r.status_code == 200 and r.json()["passages"] > 0


def test_every_response_has_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/api/search", params={"q": "x" * 5000})
    assert len({first.headers["x-request-id"], second.headers["x-request-id"]}) == 2
    assert client.get("/healthz", headers={"X-Request-ID": "newsroom-42"}).headers["x-request-id"] == "newsroom-42"
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>" + "a" * 100}).headers["x-request-id"]
    assert odd.isalnum() and "script" not in odd


def test_json_access_log_carries_the_request_id(seed_settings):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "web", "--index", str(seed_settings.storage.index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**__import__("os").environ, "BERITA_ACCESS_LOG": "on", "BERITA_LOG_FORMAT": "json"},
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            deadline = time.monotonic() + 120
            while True:
                try:
                    c.get("/healthz", headers={"X-Request-ID": "trace-7"})
                    break
                except httpx.HTTPError:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.2)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "berita.access"]
    assert any(line.get("request_id") == "trace-7" and "/healthz 200" in line["message"] for line in access)
