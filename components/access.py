"""Who may open the dashboard: optional OIDC sign-in (st.login) with an email/domain allowlist."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import streamlit as st

from client.settings import Settings, as_settings, settings


def _listed(raw: Any) -> frozenset[str]:
    if raw is None:
        return frozenset()
    items = raw if isinstance(raw, (list, tuple)) else str(raw).replace(";", ",").split(",")
    return frozenset(str(item).strip().lower() for item in items if str(item).strip())


def email_allowed(email: str | None, emails: Collection[str], domains: Collection[str]) -> bool:
    """True when an email is on the allowlist (empty lists allow every signed-in person)."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    if not emails and not domains:
        return True
    domain = email.rsplit("@", 1)[1]
    return email in emails or domain in {d.lstrip("@") for d in domains}


def sign_in_config(
    secrets: Mapping[str, Any], env: Settings | Mapping[str, str]
) -> dict[str, Any] | None:
    """The sign-in settings when an [auth] section is configured, else None (no sign-in)."""
    if not secrets or not isinstance(secrets.get("auth"), Mapping):
        return None
    access = secrets.get("access") if isinstance(secrets.get("access"), Mapping) else {}
    config = as_settings(env)
    return {
        "emails": _listed(config.allowed_emails or access.get("allowed_emails")),
        "domains": _listed(config.allowed_domains or access.get("allowed_domains")),
    }


def require_sign_in(secrets: Mapping[str, Any]) -> bool:
    """With [auth] configured, stop viewers who are not signed in or not allowed; True to go on."""
    config = sign_in_config(secrets, settings())
    if config is None:
        return True
    if not st.user.get("is_logged_in"):
        st.title("Eval results")
        st.write("This dashboard is private. Sign in with your company account to continue.")
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        return False
    if not email_allowed(st.user.get("email"), config["emails"], config["domains"]):
        st.title("Eval results")
        st.error(
            "Your account is signed in but not on this dashboard's access list. "
            "Ask the dashboard's owner to add you.",
            icon=":material/block:",
        )
        st.button("Sign out", on_click=st.logout)
        return False
    with st.sidebar:
        st.caption(f"Signed in as {st.user.get('email')}")
        st.button("Sign out", on_click=st.logout, key="_sign_out")
    return True


def may_write(
    secrets: Mapping[str, Any], email: str | None, env: Settings | None = None
) -> str | None:
    """None when this viewer may review verdicts and score responses, else the reason why not.

    Writes use the dashboard's shared key. Without sign-in they are allowed (the demo, a
    personal dashboard) unless EVAL_DASHBOARD_READ_ONLY=1; with sign-in, only the emails or
    domains on `[access] reviewers` may write.
    """
    config = env if env is not None else settings()
    if config.read_only:
        return "This dashboard is read-only (EVAL_DASHBOARD_READ_ONLY is set)."
    if sign_in_config(secrets, config) is None:
        return None
    access = secrets.get("access") if isinstance(secrets.get("access"), Mapping) else {}
    listed = _listed(access.get("reviewers"))
    if not listed:
        return "Only reviewers may change verdicts, and none are listed ([access] reviewers)."
    emails = {item for item in listed if "@" in item.lstrip("@")}
    domains = listed - emails
    if not email or not email_allowed(email, emails, domains):  # listed is never empty here
        return f"Only reviewers may change verdicts; {email or 'this account'} is not one."
    return None
