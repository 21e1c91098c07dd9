"""The gateway's settings: the sandbox's published secrets only with the sandbox on this machine, and a CSP whose
form-action lets a form lead only to this site and the gateway's page."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from portal.payments.gateway import UnsafeGatewaySettings
from portal.payments.gateway import check_settings
from portal.payments.gateway import form_targets
from portal.settings import ROOT
from portal.settings import Settings

SANDBOX = {"PAYMENT_SECRET_KEY": "sk_test_portal", "PAYMENT_WEBHOOK_SECRET": "whsec_portal_sandbox"}


def settings(url: str, key: str = "sk_test_portal", whsec: str = "whsec_portal_sandbox") -> Settings:
    base = Settings.from_env({"SECRET_KEY": "x" * 32, "PORTAL_VAR_DIR": "/tmp/portal-settings-test"})
    return dataclasses.replace(base, payment_gateway_url=url, payment_secret_key=key, payment_webhook_secret=whsec)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8001", "http://localhost:9000", "http://[::1]:8001"])
def test_the_sandbox_on_this_machine_may_use_its_published_secrets(url):
    check_settings(settings(url))


@pytest.mark.parametrize(
    ("key", "whsec", "named"),
    [
        ("sk_test_portal", "whsec_portal_sandbox", "PAYMENT_SECRET_KEY and PAYMENT_WEBHOOK_SECRET"),
        ("sk_live_real", "whsec_portal_sandbox", "PAYMENT_WEBHOOK_SECRET"),
        ("sk_test_portal", "whsec_real", "PAYMENT_SECRET_KEY"),
    ],
)
def test_another_gateway_with_the_sandbox_secrets_is_refused(key, whsec, named):
    with pytest.raises(UnsafeGatewaySettings, match=named):
        check_settings(settings("https://api.stripe.com", key, whsec))
    check_settings(settings("https://api.stripe.com", "sk_live_real", "whsec_real"))


def test_the_portal_does_not_start_with_them(tmp_path):
    env = {
        **os.environ,
        "PAYMENT_GATEWAY_URL": "https://gateway.example",
        "SECRET_KEY": "x" * 32,
        "PORTAL_VAR_DIR": str(tmp_path),
        **SANDBOX,
    }
    done = subprocess.run(
        [sys.executable, "-c", "from portal.app import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "UnsafeGatewaySettings" in done.stderr and "'gateway.example'" in done.stderr
    env["PAYMENT_SECRET_KEY"], env["PAYMENT_WEBHOOK_SECRET"] = "sk_live_own", "whsec_own"
    started = subprocess.run(
        [sys.executable, "-c", "from portal.app import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr


def test_forms_lead_only_to_this_site_and_the_gateways_page():
    assert form_targets(settings("http://127.0.0.1:8001/"), env={}) == ["http://127.0.0.1:8001"]
    stripe = settings("https://api.stripe.com", "sk_live_real", "whsec_real")
    assert form_targets(stripe, env={"PAYMENT_CHECKOUT_URL": "https://checkout.stripe.com/c/pay"}) == [
        "https://api.stripe.com",
        "https://checkout.stripe.com",
    ]


async def test_the_csp_names_the_gateway_and_no_other_origin(app, client):
    response = await client.get("/login")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["form-action"] == "'self' " + app.state.settings.payment_gateway_url
