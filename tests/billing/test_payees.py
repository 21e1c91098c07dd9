"""Payees' requisites: the rule of DOMAIN.md §3.1 (BIC and accounts with the Bank of Russia control key) case by
case, and the staff page that keeps them — a bad pair refused with the words and everything typed kept, a good
one saved with its audit event — on both engines."""

import pytest

from portal.billing import queries
from portal.billing import rules
from portal.billing.rules import RequisiteProblem as P
from portal.billing.tables import Payee
from portal.core.tables import AuditEvent

# DOMAIN.md §3.1's full example: ИНН/КПП placeholders, the account passes the control key for BIC 044525225.
INN, KPP, BIC, ACCOUNT, CORRESP = "7700000000", "770001001", "044525225", "40702810200000000001", "30101810400000000225"


@pytest.mark.parametrize(
    ("inn", "kpp", "bic", "account", "corresp", "expected"),
    [
        (INN, KPP, BIC, ACCOUNT, CORRESP, []),
        (INN, KPP, BIC, "40702810000000000001", CORRESP, [("settlement_account", P.ACCOUNT_KEY)]),
        (INN, KPP, BIC, ACCOUNT, "30101810400000000226", [("corresp_account", P.CORRESP_KEY)]),
        (INN, KPP, "04452522", ACCOUNT, CORRESP, [("bic", P.BIC)]),
        (INN, KPP, BIC, ACCOUNT, "0", []),
        (INN, KPP, BIC, "4070281020000000000", CORRESP, [("settlement_account", P.ACCOUNT)]),
        (INN, KPP, BIC, ACCOUNT, "3010181040000000022", [("corresp_account", P.CORRESP)]),
        ("910200000112", "", BIC, ACCOUNT, CORRESP, []),
        (INN, "", BIC, ACCOUNT, CORRESP, [("kpp", P.KPP)]),
        ("77000000", KPP, BIC, ACCOUNT, CORRESP, [("inn", P.INN)]),
        (INN, "7700AB001", BIC, ACCOUNT, CORRESP, []),
        ("9102000001", "910201001", "043510607", "40702810540000001234", "30101810335100000607", []),
        (INN, KPP, "٠٤٤٥٢٥٢٢٥", ACCOUNT, CORRESP, [("bic", P.BIC)]),
    ],
    ids=[
        "§3.1: the full example's account 40702810200000000001 passes with BIC 044525225",
        "§3.1: PersonalAcc 40702810000000000001 with BIC 044525225 fails the control key",
        "§3.1: CorrespAcc 30101810400000000225 is valid; one digit changed is not",
        "§3.1: an eight-digit BIC 04452522 is refused",
        "§3.1: CorrespAcc 0 when the bank has no correspondent account",
        "§3.1: PersonalAcc has exactly 20 digits",
        "§3.1: CorrespAcc has at most 20 digits; a key is checked on 20",
        "an entrepreneur's 12-digit INN has no KPP",
        "an organisation's 10-digit INN needs its KPP",
        "an INN of 8 digits is refused",
        "a KPP may carry two capital letters in its fifth and sixth places",
        "the demo company's requisites pass",
        "digits of another script are not digits",
    ],
)
def test_requisites_rule(inn, kpp, bic, account, corresp, expected):
    assert rules.requisites_problems(inn, kpp, bic, account, corresp) == expected


def test_a_key_is_not_checked_against_a_bic_of_the_wrong_shape():
    """One problem is told once: a short BIC is the problem, not the accounts checked against it."""
    assert rules.requisites_problems(INN, KPP, "0445252", "40702810000000000001", CORRESP) == [("bic", P.BIC)]


def _form(payee: queries.PayeeInfo, **changes: str) -> dict[str, str]:
    values = {
        name: str(getattr(payee, name))
        for name in (
            "name",
            "inn",
            "kpp",
            "bic",
            "settlement_account",
            "corresp_account",
            "bank_name",
            "address",
            "phone",
            "email",
            "site",
            "dispatch_phones",
        )
    }
    return {**values, **changes}


@pytest.fixture
async def company(catalog):
    return await queries.payee(catalog["payees"]["uk"])


async def test_the_accountant_sees_the_payees_and_saves_new_requisites_with_an_audit_event(
    client, login, make_user, company
):
    await login(client, await make_user(roles=("accountant",)))
    listing = await client.get("/staff/billing/payees")
    assert listing.status_code == 200
    assert "ООО «УК Монолит Комфорт»" in listing.text and "НКО «Региональный фонд капремонта МКД»" in listing.text
    page = await client.get(f"/staff/billing/payees/{company.id}")
    assert page.status_code == 200 and 'value="043510607"' in page.text
    form = _form(
        company,
        bic="04 45 25 225",
        settlement_account=ACCOUNT,
        corresp_account=CORRESP,
        bank_name="ПАО СБЕРБАНК",
        dispatch_phones="+7 (3652) 00-00-09",
    )
    response = await client.form(f"/staff/billing/payees/{company.id}", form)
    assert response.status_code == 303, response.text
    saved = await queries.payee(company.id)
    assert (saved.bic, saved.settlement_account, saved.bank_name) == (BIC, ACCOUNT, "ПАО СБЕРБАНК")
    assert saved.dispatch_phones == "+7 (3652) 00-00-09"
    event = await AuditEvent.select().where(AuditEvent.action == "billing.payee.update").first()
    assert event is not None and event["entity_id"] == company.id
    assert "043510607" in str(event["changes"]) and BIC in str(event["changes"])
    assert "Реквизиты" in (await client.get("/staff/billing/payees")).text


async def test_a_bad_pair_is_refused_with_its_words_and_everything_typed_is_kept(client, login, make_user, company):
    await login(client, await make_user(roles=("admin",)))
    form = _form(company, bic=BIC, settlement_account="40702810000000000001", site="новый-сайт.example")
    response = await client.form(f"/staff/billing/payees/{company.id}", form)
    assert response.status_code == 422
    assert "не соответствует БИК" in response.text
    assert 'href="#f-settlement_account"' in response.text
    assert 'value="40702810000000000001"' in response.text and 'value="новый-сайт.example"' in response.text
    assert 'value="044525225"' in response.text
    kept = await Payee.select(Payee.bic, Payee.settlement_account, Payee.site).where(Payee.id == company.id).first()
    assert kept == {"bic": "043510607", "settlement_account": "40702810540000001234", "site": company.site}
    assert await AuditEvent.count().where(AuditEvent.action == "billing.payee.update") == 0


async def test_saving_the_same_requisites_writes_nothing(client, login, make_user, company):
    await login(client, await make_user(roles=("accountant",)))
    response = await client.form(f"/staff/billing/payees/{company.id}", _form(company))
    assert response.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "billing.payee.update") == 0


async def test_a_manager_may_not_change_requisites_and_a_missing_payee_is_not_found(client, login, make_user, company):
    await login(client, await make_user(roles=("manager",)))
    assert (await client.get("/staff/billing/payees")).status_code == 403
    assert (await client.form(f"/staff/billing/payees/{company.id}", _form(company, bic=BIC))).status_code == 403
    await login(client, await make_user(roles=("accountant",)))
    assert (await client.get("/staff/billing/payees/999999")).status_code == 404
    assert (await client.form("/staff/billing/payees/999999", _form(company))).status_code == 404
