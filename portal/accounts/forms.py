"""Forms of identity: a form dict in, (values, errors) out; only the named fields are read. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.accounts import rules
from portal.core.i18n import LOCALES
from portal.core.i18n import gettext as _
from portal.core.web import FormErrors, form_value

Values = dict[str, Any]


def _list(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _password_message(problem: str) -> str:
    return {
        "short": _("The password must be at least 8 characters long."),
        "long": _("The password is too long."),
        "email": _("The password must differ from your e-mail."),
        "simple": _("The password is too simple: use at least 4 different characters."),
    }[problem]


def _password_pair(data: Mapping[str, Any], errors: FormErrors, email: str = "") -> str:
    password = str(data.get("password") or "")
    problem = rules.password_problem(password, email=email)
    if problem:
        errors.add("password", _password_message(problem))
    elif password != str(data.get("password2") or ""):
        errors.add("password2", _("The passwords do not match."))
    return password


def login_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    login = form_value(data, "login")[:255]
    password = str(data.get("password") or "")[:200]
    if not login:
        errors.add("login", _("Enter your e-mail or phone number."))
    elif rules.login_kind(login) is None:
        errors.add("login", _("Enter an e-mail such as name@example.ru or a phone such as +7 978 123-45-67."))
    if not password:
        errors.add("password", _("Enter your password."))
    return {"login": login, "password": password, "remember": bool(form_value(data, "remember"))}, errors


def email_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    email = form_value(data, "email")[:255]
    if not rules.is_email(email):
        errors.add("email", _("Enter an e-mail such as name@example.ru."))
    return {"email": rules.normalize_email(email)}, errors


def new_password_form(data: Mapping[str, Any], email: str = "") -> tuple[Values, FormErrors]:
    errors = FormErrors()
    password = _password_pair(data, errors, email)
    return {"password": password}, errors


def _account_and_code(data: Mapping[str, Any], errors: FormErrors) -> Values:
    number = "".join(ch for ch in form_value(data, "account") if ch.isdigit())[:20]
    code = rules.clean_access_code(form_value(data, "code"))[:20]
    if not number:
        errors.add("account", _("Enter the personal account number from your receipt."))
    if not code:
        errors.add("code", _("Enter the access code from your receipt."))
    role = form_value(data, "role")
    if role not in ("owner", "tenant"):
        errors.add("role", _("Choose who you are for this premise."))
    return {"account": number, "code": code, "role": role}


def register_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values = _account_and_code(data, errors)
    name = form_value(data, "full_name")[:255]
    if not name:
        errors.add("full_name", _("Enter your name."))
    email = form_value(data, "email")[:255]
    if not rules.is_email(email):
        errors.add("email", _("Enter an e-mail such as name@example.ru."))
    password = _password_pair(data, errors, email)
    values.update(full_name=name, email=rules.normalize_email(email), password=password)
    return values, errors


def link_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    return _account_and_code(data, errors), errors


def invite_person_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    """An owner invites a family member or a tenant with chosen rights (voting is never delegated)."""
    errors = FormErrors()
    email = form_value(data, "email")[:255]
    if not rules.is_email(email):
        errors.add("email", _("Enter an e-mail such as name@example.ru."))
    role = form_value(data, "role")
    if role not in ("family", "tenant"):
        errors.add("role", _("Choose who this person is."))
    rights = [r for r in rules.DELEGABLE_RIGHTS if r in _list(data, "rights")]
    return {"email": rules.normalize_email(email), "role": role, "rights": rights}, errors


def staff_invite_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    number = "".join(ch for ch in form_value(data, "account") if ch.isdigit())[:20]
    if not number:
        errors.add("account", _("Enter the personal account number."))
    email = form_value(data, "email")[:255]
    if not rules.is_email(email):
        errors.add("email", _("Enter an e-mail such as name@example.ru."))
    role = form_value(data, "role")
    if role not in rules.RESIDENT_ROLES:
        errors.add("role", _("Choose the role."))
    return {"account": number, "email": rules.normalize_email(email), "role": role}, errors


def account_number_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    number = "".join(ch for ch in form_value(data, "account") if ch.isdigit())[:20]
    if not number:
        errors.add("account", _("Enter the personal account number."))
    return {"account": number}, errors


def profile_form(data: Mapping[str, Any]) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    name = form_value(data, "full_name")[:255]
    if not name:
        errors.add("full_name", _("Enter your name."))
    phone_raw = form_value(data, "phone")
    phone = None
    if phone_raw:
        phone = rules.normalize_phone(phone_raw)
        if phone is None:
            errors.add("phone", _("Enter the phone as +7 978 123-45-67."))
    locale = form_value(data, "locale")
    if locale not in LOCALES:
        errors.add("locale", _("Choose a language."))
    channels = _list(data, "channels")
    values = {
        "full_name": name,
        "phone": phone,
        "phone_raw": phone_raw,
        "locale": locale,
        "notify_email": "email" in channels,
        "notify_inapp": "inapp" in channels,
    }
    return values, errors


def change_password_form(data: Mapping[str, Any], email: str = "") -> tuple[Values, FormErrors]:
    errors = FormErrors()
    current = str(data.get("current_password") or "")
    if not current:
        errors.add("current_password", _("Enter your current password."))
    password = _password_pair(data, errors, email)
    return {"current_password": current, "password": password}, errors


def staff_user_form(data: Mapping[str, Any], house_ids: set[int], *, new: bool) -> tuple[Values, FormErrors]:
    errors = FormErrors()
    values: Values = {}
    if new:
        name = form_value(data, "full_name")[:255]
        if not name:
            errors.add("full_name", _("Enter the name."))
        email = form_value(data, "email")[:255]
        if not rules.is_email(email):
            errors.add("email", _("Enter an e-mail such as name@example.ru."))
        values.update(full_name=name, email=rules.normalize_email(email))
    roles = [r for r in rules.STAFF_ROLES if r in _list(data, "roles")]
    if not roles:
        errors.add("roles", _("Choose at least one role."))
    houses = sorted({int(h) for h in _list(data, "houses") if h.isdigit() and int(h) in house_ids})
    values.update(roles=roles, houses=houses, active=bool(form_value(data, "active")) if not new else True)
    return values, errors
