"""What staff and residents hand the billing pages (query strings, forms, uploads) read into typed values.

Every value goes through ``core.parse``: nothing here raises on hostile input, and nothing lets through what the
database cannot hold. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from litestar.datastructures import UploadFile

from portal.billing import rules
from portal.billing.queries import DEBTOR_SORTS
from portal.billing.queries import DebtorFilter
from portal.billing.rules import PenaltyPeriod
from portal.billing.rules import RuleKind
from portal.core.i18n import gettext
from portal.core.i18n import lazy
from portal.core.i18n import ngettext
from portal.core.labels import Labels
from portal.core.parse import parse_date
from portal.core.parse import parse_decimal
from portal.core.parse import parse_id
from portal.core.parse import parse_int
from portal.core.parse import parse_money
from portal.core.parse import parse_month
from portal.core.web import FormErrors
from portal.core.web import form_value
from portal.core.web import no_such_choice
from portal.core.web import no_such_house
from portal.core.web import several
from portal.core.web import unread_filters
from portal.core.web import unread_sum

MAX_DEBT_FILTER = Decimal("1000000000")  # a debt filter beyond a billion rubles matches nobody anyway
MAX_MONTHS_FILTER = 600
MAX_ENTRANCE = 99


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()[:40]


def month(params: Mapping[str, Any], name: str = "period") -> date | None:
    """A billing month from a query or a form (``2026-11``); None when absent or not a month."""
    return parse_month(_text(params, name))


def debtor_filter(params: Mapping[str, Any]) -> DebtorFilter:
    """The debtors list's filters; a value that is not what its field holds is ignored, not an error."""
    min_debt = parse_money(_text(params, "min_debt"))
    if min_debt is not None and not Decimal("0") <= min_debt <= MAX_DEBT_FILTER:
        min_debt = None
    sort = _text(params, "sort")
    return DebtorFilter(
        house=parse_id(_text(params, "house")),
        complex=parse_id(_text(params, "complex")),
        every_owing=_text(params, "owing") == "all",
        entrance=parse_int(_text(params, "entrance"), low=1, high=MAX_ENTRANCE),
        min_debt=min_debt,
        months=parse_int(_text(params, "months"), low=1, high=MAX_MONTHS_FILTER),
        sort=sort if sort in DEBTOR_SORTS else "-debt",
    )


def _month_read(params: Mapping[str, Any], shown: date | None) -> tuple[date | None, str, str]:
    """The report's month for ``unread_filters``: the month read, its field's label, the message when not read.
    A month the report does not offer in its dropdown is shown without (``shown``, the month it shows) either."""
    value = _text(params, "period")[:40]
    return (
        month(params) if month(params) == shown else None,
        gettext("Month"),
        gettext("There is no month “%(value)s”; the newest one is shown.", value=value),
    )


def month_not_offered(data: Mapping[str, Any]) -> str:
    """The message of a form that posts a month its page does not offer (older than the page goes back, or still to
    come): the month as posted, and what to do."""
    value = _text(data, "period")
    return gettext("There is no month “%(value)s” in the list; choose one of the months offered.", value=value)


def month_problems(params: Mapping[str, Any], shown: date) -> FormErrors:
    """A message at the report's month when the address holds one it cannot read or does not offer (the newest month
    is shown: ``shown``)."""
    return unread_filters(params, {"period": _month_read(params, shown)})[1]


def no_such_complex() -> str:
    """The message at the debtor list's complex that is none of the user's."""
    return gettext("There is no such complex in the list; the list is shown without this filter.")


def overview_problems(params: Mapping[str, Any], shown: date, until: date | None, houses: list[int]) -> FormErrors:
    """A message at the overview's months or houses when the address holds one it cannot read: a month it does not
    offer (the newest is shown; ``until``: the last month read, before the first or not), a last month before the
    first (the first alone is shown), a house none of the user's
    (``houses``: those read; the list is shown without the others)."""
    value = _text(params, "until")[:40]
    read = {
        "period": _month_read(params, shown),
        "until": (until, gettext("To"), gettext("There is no month “%(value)s”; one month is shown.", value=value)),
    }
    backwards = gettext("The last month is before the first; the first month alone is shown.")
    errors = unread_filters(params, read, [("period", "until")], backwards=backwards)[1]
    if unknown := [v for v in several(params, "house") if parse_id(v) not in houses]:
        errors.add("house", gettext("There is no such house in the list: “%(value)s”; the list is shown without "
                                    "it.", value=", ".join(unknown)[:60]), gettext("House"))  # fmt: skip
    return errors


def channel_problem(params: Mapping[str, Any], channel: str, errors: FormErrors) -> FormErrors:
    """``errors`` with a message at the payments list's channel when the address holds none of its channels (every
    payment is shown)."""
    typed = _text(params, "channel")[:40]
    if typed and not channel:
        errors.add("channel", no_such_choice(params, "channel"), gettext("Channel"))
    return errors


def reconciliation_problems(params: Mapping[str, Any], shown: date | None, house: int | None) -> FormErrors:
    """A message at the reconciliation's month or house when the address holds one it cannot read (the newest month
    is shown: ``shown``; every house of the user); ``house``: the one read, when it is among the user's."""
    read = {"period": _month_read(params, shown), "house": (house, gettext("House"), no_such_house())}
    return unread_filters(params, read)[1]


def queue_status_problems(params: Mapping[str, Any], status: str | None) -> FormErrors:
    """A message at the queue's status when the address holds none of its statuses (the waiting ones are shown)."""
    value = _text(params, "status")[:40]
    message = gettext("There is no status “%(value)s”; the waiting payments are shown.", value=value)
    return unread_filters(params, {"status": (status, gettext("Status"), message)})[1]


def debtor_filter_problems(
    params: Mapping[str, Any], chosen: DebtorFilter, shown: date
) -> tuple[dict[str, str], FormErrors]:
    """The debtor list's filters as typed, and a message at each it could not read (``core.web.unread_filters``):
    ``chosen`` keeps a house or entrance only when it is one of the list's (``core.web.among``), an entrance only with
    its house."""
    entrance = gettext("Enter the entrance's number; the list is shown without this filter.")
    if parse_int(_text(params, "entrance"), low=1, high=MAX_ENTRANCE) is not None:
        entrance = gettext("The house has no such entrance; the list is shown without this filter.")
        if chosen.house is None:
            entrance = gettext("Choose a house first; the list is shown without this filter.")
    months = gettext("Enter a number of months; the list is shown without this filter.")
    return unread_filters(
        params,
        {
            "period": _month_read(params, shown),
            "house": (chosen.house, gettext("House"), no_such_house()),
            "complex": (chosen.complex, gettext("Complex"), no_such_complex()),
            "owing": (chosen.every_owing or None, gettext("Which accounts"), no_such_choice(params, "owing")),
            "entrance": (chosen.entrance, gettext("Entrance"), entrance),
            "min_debt": (chosen.min_debt, gettext("Debt from, ₽"), unread_sum(params, "min_debt")),
            "months": (chosen.months, gettext("Months overdue, at least"), months),
        },
    )


@dataclass
class IssueForm:
    """Issue the receipts of a month for one house or every house of the user."""

    period: date | None = None
    house_id: int | None = None
    errors: FormErrors = field(default_factory=FormErrors)


def issue_form(data: Mapping[str, Any]) -> IssueForm:
    form = IssueForm(period=month(data), house_id=parse_id(form_value(data, "house")))
    if form.period is None:
        form.errors.add("period", gettext("Choose a billing month."))
    if form_value(data, "house") and form.house_id is None:
        form.errors.add("house", gettext("Choose a house from the list."))
    return form


@dataclass
class UploadForm:
    """The charges file and the month it is for."""

    period_text: str = ""
    period: date | None = None
    upload: UploadFile | None = None
    errors: FormErrors = field(default_factory=FormErrors)


def upload_form(data: Mapping[str, Any]) -> UploadForm:
    form = UploadForm(period_text=form_value(data, "period")[:20])
    form.period = parse_month(form.period_text)
    if form.period is None:
        form.errors.add("period", gettext("Enter the month as 2026-11."))
    upload = data.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        form.upload = upload
    else:
        form.errors.add("file", gettext("Choose a CSV or XLSX file."))
    return form


MAX_KEY_RATE = Decimal("100")


@dataclass
class KeyRateForm:
    """A key rate in force from a date, with the decision it comes from."""

    valid_from_text: str = ""
    rate_text: str = ""
    source: str = ""
    valid_from: date | None = None
    rate: Decimal | None = None
    errors: FormErrors = field(default_factory=FormErrors)


def key_rate_form(data: Mapping[str, Any]) -> KeyRateForm:
    form = KeyRateForm(
        valid_from_text=form_value(data, "valid_from")[:20],
        rate_text=form_value(data, "rate")[:20],
        source=form_value(data, "source")[:255],
    )
    form.valid_from = parse_date(form.valid_from_text)
    if form.valid_from is None or form.valid_from.year < 2016:
        form.errors.add("valid_from", gettext("Enter the date the rate applies from, e.g. 16.02.2026 (2016 or later)."))
    form.rate = parse_decimal(form.rate_text.replace("%", ""), places=2, whole_digits=2)
    if form.rate is None or not Decimal("0") < form.rate < MAX_KEY_RATE:
        form.rate = None
        form.errors.add("rate", gettext("Enter the annual rate in percent, e.g. 15.50."))
    return form


def rule_kind_label(kind: str) -> str:
    """What a row of the table of moratoria and caps does (DOMAIN.md §2.4), for staff."""
    labels = {
        "no_penalty": gettext("No penalty accrues (moratorium)"),
        "fixed_rate": gettext("Fixed rate"),
        "cap": gettext("Rate capped at"),
        "no_penalty_old_debt": gettext("No penalty on debts of billing months before a date"),
    }
    return labels.get(str(kind), str(kind))


# A service's unit as the catalog keeps it (``actions.SERVICES``, in Russian, as a billing writes it), in the
# reader's language on the receipt, its PDF and the account's page; a unit the table does not know is shown as kept.
UNIT_LABELS: Labels[str] = Labels(
    {
        "м²": lazy("m²"),
        "м³": lazy("m³"),
        "кВт·ч": lazy("kWh"),
        "Гкал": lazy("Gcal"),
        "чел.": lazy("pers."),
    }
)
unit_label = UNIT_LABELS.shown


@dataclass
class PenaltyRuleForm:
    """A moratorium or cap of penalties for the days from one date to another (inclusive), with its act."""

    typed: dict[str, str] = field(default_factory=dict)
    period: PenaltyPeriod | None = None
    errors: FormErrors = field(default_factory=FormErrors)


PENALTY_RULE_FIELDS = ("kind", "valid_from", "valid_to", "rate", "debts_before", "source")


def penalty_rule_form(data: Mapping[str, Any]) -> PenaltyRuleForm:
    typed = {name: form_value(data, name)[: 255 if name == "source" else 20] for name in PENALTY_RULE_FIELDS}
    form = PenaltyRuleForm(typed=typed)
    kind = RuleKind(typed["kind"]) if typed["kind"] in set(RuleKind) else None
    if kind is None:
        form.errors.add("kind", gettext("Choose what the rule does."))
    valid_from, valid_to = parse_date(typed["valid_from"]), parse_date(typed["valid_to"])
    if valid_from is None or valid_from.year < 2016:
        form.errors.add("valid_from", gettext("Enter the first day the rule applies to, e.g. 01.01.2027."))
    if valid_to is None or (valid_from is not None and valid_to < valid_from):
        form.errors.add("valid_to", gettext("Enter the last day the rule applies to, not before the first."))
    rate = None
    if kind in (RuleKind.FIXED_RATE, RuleKind.CAP):
        rate = parse_decimal(typed["rate"].replace("%", ""), places=2, whole_digits=2)
        if rate is None or not Decimal("0") < rate < MAX_KEY_RATE:
            rate = None
            form.errors.add("rate", gettext("Enter the annual rate in percent, e.g. 9.50."))
    debts_before = None
    if kind is RuleKind.NO_PENALTY_OLD_DEBT:
        debts_before = parse_month(typed["debts_before"])
        if debts_before is None:
            form.errors.add(
                "debts_before", gettext("Enter the first billing month the rule does not cover, e.g. 2022-04.")
            )
    if len(typed["source"]) < 3:
        form.errors.add("source", gettext("Name the act that sets the rule, e.g. ПП РФ № 474 от 26.03.2022."))
    if not form.errors and kind is not None and valid_from is not None and valid_to is not None:
        form.period = PenaltyPeriod(valid_from, valid_to, kind, rate, debts_before, source=typed["source"])
    return form


# The payee's fields a staff member edits, with the longest value each may hold (the QR string's limits).
PAYEE_FIELDS: dict[str, int] = {
    "name": 160,
    "inn": 12,
    "kpp": 9,
    "bic": 9,
    "settlement_account": 20,
    "corresp_account": 20,
    "bank_name": 45,
    "address": 255,
    "phone": 64,
    "email": 255,
    "site": 255,
    "dispatch_phones": 255,
}
# Fields typed with spaces for reading (a BIC as «04 45 25 225», an account in groups): the spaces are dropped.
_DIGIT_FIELDS = ("inn", "kpp", "bic", "settlement_account", "corresp_account")


@dataclass
class PayeeForm:
    """A payee's requisites as typed (kept whole after an error) and what is wrong with them."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PAYEE_FIELDS, ""))
    errors: FormErrors = field(default_factory=FormErrors)


def _requisite_message(problem: rules.RequisiteProblem) -> str:
    return {
        rules.RequisiteProblem.INN: gettext("The INN has 10 digits (an organisation) or 12 (an entrepreneur)."),
        rules.RequisiteProblem.KPP: gettext("The KPP has 9 characters, e.g. 910201001; an organisation must have one."),
        rules.RequisiteProblem.BIC: gettext("The BIC has exactly 9 digits, e.g. 043510607."),
        rules.RequisiteProblem.ACCOUNT: gettext("The settlement account has exactly 20 digits."),
        rules.RequisiteProblem.ACCOUNT_KEY: gettext(
            "This settlement account does not match the BIC (the Bank of Russia control key fails): a bank would "
            "refuse the payment. Check both against the bank's letter."
        ),
        rules.RequisiteProblem.CORRESP: gettext(
            "The correspondent account has 20 digits, or is 0 when the bank has none."
        ),
        rules.RequisiteProblem.CORRESP_KEY: gettext(
            "This correspondent account does not match the BIC (the Bank of Russia control key fails). Check both "
            "against the bank's letter."
        ),
    }[problem]


def payee_form(data: Mapping[str, Any]) -> PayeeForm:
    """Read a payee's requisites; every problem is told at its field, and what was typed is kept."""
    form = PayeeForm({name: form_value(data, name)[: limit * 2] for name, limit in PAYEE_FIELDS.items()})
    values = form.values
    for name in _DIGIT_FIELDS:
        values[name] = "".join(values[name].split()).upper()
    values["corresp_account"] = values["corresp_account"] or "0"
    if not values["name"]:
        form.errors.add("name", gettext("Enter the payee's name as in its charter."))
    if not values["bank_name"]:
        form.errors.add("bank_name", gettext("Enter the bank's name."))
    for name, problem in rules.requisites_problems(
        values["inn"], values["kpp"], values["bic"], values["settlement_account"], values["corresp_account"]
    ):
        form.errors.add(name, _requisite_message(problem))
    for name, limit in PAYEE_FIELDS.items():
        if len(values[name]) > limit:
            form.errors.add(name, ngettext("At most %(num)s character.", "At most %(num)s characters.", limit))
    if values["email"] and ("@" not in values["email"] or " " in values["email"]):
        form.errors.add("email", gettext("Enter an e-mail address such as info@example.ru."))
    return form
