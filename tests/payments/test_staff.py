"""The staff payments page: filters, paging, exports safe from formula injection, house scope."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from portal.core import clock
from portal.housing.tables import House
from portal.housing.tables import PersonalAccount
from tests.meanwhile import answered
from tests.meanwhile import held
from tests.payments.test_refunds_autopay import paid


async def test_staff_list_filters_and_exports_formula_safe(client, new_client, login, household, gateway, make_user):
    payment = await paid(client, login, household, gateway, "3540")
    await House.update({House.address: '=HYPERLINK("http://evil")'}).where(House.id == household["house"])
    staff = new_client()
    await login(staff, household["accountant"])
    page = await staff.get("/staff/payments?status=succeeded&size=10")
    assert page.status_code == 200
    assert f'href="/staff/payments/{payment["id"]}"' in page.text
    empty = await staff.get("/staff/payments?status=refunded")
    assert f'href="/staff/payments/{payment["id"]}"' not in empty.text
    by_amount = await staff.get("/staff/payments?min=4000")
    assert f'href="/staff/payments/{payment["id"]}"' not in by_amount.text
    unread = await staff.get("/staff/payments?min=abc&max=-5")  # not amounts: shown, said, and not applied
    assert unread.status_code == 200
    assert 'value="abc"' in unread.text and 'value="-5"' in unread.text
    assert unread.text.count("список показан без этого условия") == 2
    assert f'href="/staff/payments/{payment["id"]}"' in unread.text
    assert "Не применены, так как не прочитаны: Сумма от, ₽; Сумма до, ₽." in unread.text
    # «1,005» is told how to write it, as a form tells it, and the list is still shown without the filter
    kopecks = await staff.get("/staff/payments?min=1,005&max=12.345 ₽")
    assert 'value="1,005"' in kopecks.text and f'href="/staff/payments/{payment["id"]}"' in kopecks.text
    how = "После запятой — не больше двух цифр (копейки): напишите сумму так: %s; список показан без этого условия."
    assert how % "1005 или 1005,50" in kopecks.text and how % "12345 или 12345,50" in kopecks.text
    unread = await staff.get("/staff/payments?status=bogus&from=31.02.2026&to=вчера")  # not a status, not dates
    assert 'value="31.02.2026"' in unread.text and 'value="вчера"' in unread.text
    assert unread.text.count("Введите дату в виде ДД.ММ.ГГГГ; список показан без этого условия.") == 2
    assert "Нет статуса «bogus»; список показан без этого условия." in unread.text
    assert "Не применены, так как не прочитаны: Статус платежа; Создан с; Создан по." in unread.text
    assert f'href="/staff/payments/{payment["id"]}"' in unread.text
    today = clock.today_local()
    russian = await staff.get(f"/staff/payments?from={today:%d.%m.%Y}&to={today:%d.%m.%Y}")  # read as before
    assert f'href="/staff/payments/{payment["id"]}"' in russian.text and "не прочитаны" not in russian.text
    assert f'value="{today.isoformat()}"' in russian.text
    csv = await staff.get(f"/staff/payments/export.csv?house={household['house']}")
    assert csv.status_code == 200
    assert "'=HYPERLINK" in csv.text
    assert "3540,00" in csv.text
    account = household["accounts"][0]
    # A long account number with leading zeros: text to Excel, never a number (zeros dropped, shown as 1,23E+13).
    await PersonalAccount.update({PersonalAccount.number: "0012345678901234"}).where(PersonalAccount.id == account)
    exported = await staff.get(f"/staff/payments/export.csv?house={household['house']}")
    assert b';"=""0012345678901234""";' in exported.content
    xlsx = await staff.get("/staff/payments/export.xlsx?status=succeeded")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in cells)
    # A manager of another house sees none of it.
    other = await make_user(roles=("manager",), houses=())
    outsider = new_client()
    await login(outsider, other)
    assert f'href="/staff/payments/{payment["id"]}"' not in (await outsider.get("/staff/payments")).text
    assert (await outsider.get(f"/staff/payments/{payment['id']}")).status_code == 404


async def test_staff_list_does_not_apply_a_house_none_of_its_list(
    client, new_client, login, household, gateway, make_account
):
    payment = await paid(client, login, household, gateway, "3540")
    other = (await make_account()).house  # a house of the company, not this accountant's
    staff = new_client()
    await login(staff, household["accountant"])
    forms = {}
    for house in (other, 987654):
        page = await staff.get(f"/staff/payments?house={house}")
        assert f'href="/staff/payments/{payment["id"]}"' in page.text  # shown without the house
        form = page.text.split('action="/staff/payments"')[1].split("</form>")[0]
        assert "Такого дома нет в списке; список показан без этого условия." in form
        assert "Не применены, так как не прочитаны: Дом." in page.text
        forms[house] = form
    assert forms[other] == forms[987654]  # a house out of reach and one that is not there read alike
    csv = await staff.get(f"/staff/payments/export.csv?house={other}")
    assert "3540,00" in csv.text  # the export is of the rows shown
    mine = await staff.get(f"/staff/payments?house={household['house']}")
    assert f'href="/staff/payments/{payment["id"]}"' in mine.text and "не прочитаны" not in mine.text


async def test_hostile_filters_ids_and_refund_amounts_are_answered_plainly(
    client, new_client, login, household, gateway
):
    from portal.payments.tables import Refund

    payment = await paid(client, login, household, gateway, "3540")
    staff = new_client()
    await login(staff, household["accountant"])
    hostile = (
        "?to=9999-12-31&from=0001-01-01&house=²&min=1e30&max="
        + "9" * 40
        + "&status=<script>&account="
        + "1" * 500
        + "&page="
        + str(10**30)
        + "&size=-1"
    )
    for path in ("/staff/payments", "/staff/payments/export.csv", "/staff/payments/export.xlsx"):
        response = await staff.get(path + hostile, follow_redirects=True)  # a page past the end: to the last
        assert response.status_code == 200, path
    # An unreadable date is left out, not turned into a crash: the payment is still listed.
    listed = await staff.get("/staff/payments?to=9999-12-31")
    assert f'href="/staff/payments/{payment["id"]}"' in listed.text
    for path in (f"/staff/payments/{10**20}", f"/staff/payments/{10**20}/refund", "/staff/payments/²"):
        assert (await staff.get(path)).status_code == 404, path
    assert (await staff.form(f"/staff/payments/{10**20}/refund", {"amount": "1"})).status_code == 404
    for amount in ("9" * 40, "1e30", "NaN", "-Infinity", "-100", "0", "²", "1" * 5000):
        response = await staff.form(
            f"/staff/payments/{payment['id']}/refund", {"amount": amount, "reason": "Проверка", "confirm": "1"}
        )
        assert response.status_code == 422, amount
    assert await Refund.count().where(Refund.payment == payment["id"]) == 0


def test_a_refund_of_zero_or_less_is_told_so_not_asked_for_as_if_nothing_was_typed():
    from portal.payments import forms

    for typed, said in (
        ("0", "Сумма возврата больше нуля: введите, сколько вернуть, например 1500,00."),
        ("-100,00", "Сумма возврата больше нуля: введите, сколько вернуть, например 1500,00."),
        ("", "Введите сумму возврата, например 1500,00."),
        ("сто", "Введите сумму возврата, например 1500,00."),
    ):
        form = forms.read_refund_form({"amount": typed, "reason": "Ошибка", "confirm": "1"}, Decimal("3540.00"))
        assert form.errors.get("amount") == said, typed


def test_the_refund_form_refuses_more_than_is_left_to_refund():
    """The form asks the rule with what the page showed left (refunds made and pending taken off)."""
    from portal.payments import forms

    for typed, left, said in (
        ("1000,01", "1000.00", "Это больше, чем осталось вернуть."),
        ("1000,00", "1000.00", None),
        ("1,00", "0.00", "По этому платежу вернуть больше нечего."),
    ):
        form = forms.read_refund_form({"amount": typed, "reason": "Ошибка", "confirm": "1"}, Decimal(left))
        assert form.errors.get("amount") == said, (typed, left)


async def test_the_date_and_amount_ranges_keep_both_ends_and_count_days_in_the_company_zone(
    client, new_client, login, household, gateway
):
    from datetime import UTC
    from datetime import datetime

    from portal.payments.tables import Payment

    payment = await paid(client, login, household, gateway, "3540")
    # Local midnight of 1 March in Simferopol (UTC+3) is still 28 February in UTC.
    moment = datetime(2026, 2, 28, 21, 0, tzinfo=UTC)
    await Payment.update({Payment.created_at: moment}).where(Payment.id == payment["id"])
    staff = new_client()
    await login(staff, household["accountant"])
    link = f'href="/staff/payments/{payment["id"]}"'

    async def listed(query: str) -> bool:
        return link in (await staff.get(f"/staff/payments?{query}")).text

    assert await listed("from=2026-03-01&to=2026-03-01")
    assert not await listed("to=2026-02-28")
    assert not await listed("from=2026-03-02")
    assert await listed("min=3540&max=3540")
    assert not await listed("max=3539,99")
    assert not await listed("min=3540,01")


async def test_the_exports_say_how_a_payment_was_made_in_the_readers_words(
    client, new_client, login, household, gateway
):
    """The «Вид» column said the stored code («checkout») in either language; it says «на портале» / «on the
    portal» (and «автоплатёж» / «autopay»), as the list does."""
    await paid(client, login, household, gateway, "3540")
    staff = new_client()
    await login(staff, household["accountant"])
    russian = (await staff.get("/staff/payments/export.csv")).text
    assert "Вид" in russian and "на портале" in russian and "checkout" not in russian
    await staff.speak("en")
    xlsx = await staff.get("/staff/payments/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    kinds = [row[-1] for row in sheet.iter_rows(values_only=True)]
    assert kinds[0] == "Kind" and set(kinds[1:]) == {"on the portal"}


async def test_the_exports_write_numbers_and_dates_for_the_readers_excel(client, new_client, login, household, gateway):
    """An English page's CSV wrote amounts with a decimal comma and «;» (Russian Excel's); its XLSX wrote the date as
    text. Now a CSV follows the reader's language, and the XLSX holds a date cell and a number with a money format."""
    import csv
    from datetime import UTC
    from datetime import datetime

    from portal.payments.tables import Payment

    payment = await paid(client, login, household, gateway, "3540")
    paid_at = datetime(2026, 2, 28, 21, 5, tzinfo=UTC)  # 1 March, 00:05 in the company's zone
    await Payment.update({Payment.created_at: paid_at}).where(Payment.id == payment["id"])
    staff = new_client()
    await login(staff, household["accountant"])
    russian = list(csv.reader(io.StringIO((await staff.get("/staff/payments/export.csv")).text[1:]), delimiter=";"))
    assert russian[1][:2] == [str(payment["id"]), "01.03.2026 00:05"] and russian[1][4] == "3540,00"
    await staff.speak("en")
    english = list(csv.reader(io.StringIO((await staff.get("/staff/payments/export.csv")).text[1:])))
    assert english[0][:2] == ["Payment no.", "Date"]
    assert english[1][:2] == [str(payment["id"]), "2026-03-01 00:05"] and english[1][4] == "3540.00"
    sheet = load_workbook(io.BytesIO((await staff.get("/staff/payments/export.xlsx")).content)).active
    day, amount = sheet["B2"], sheet["E2"]
    assert day.is_date and day.value == datetime(2026, 3, 1, 0, 5) and day.number_format == "YYYY-MM-DD HH:MM"
    assert amount.data_type == "n" and amount.value == 3540 and amount.number_format == "#,##0.00"


async def test_the_export_lists_the_payments_in_the_order_of_the_screen(client, new_client, login, household, gateway):
    """The screen lists payments newest first; the export listed them by number, so a payment entered late (a
    number after a newer one's) stood elsewhere in the file. Both now go by time, then by number; the export reads
    in batches, each after the last row of the one before, ties at one instant included."""
    import csv
    import uuid
    from datetime import UTC
    from datetime import datetime

    from portal.core.paged import newest_batches
    from portal.payments.tables import Payment

    first = await paid(client, login, household, gateway, "3540")
    row = await Payment.select().where(Payment.id == first["id"]).first()
    moments = [
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),  # the first payment: the middle one
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),  # a later number, an earlier day
        datetime(2026, 3, 3, 9, 0, tzinfo=UTC),  # newest
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),  # the same instant as the first payment
    ]
    await Payment.update({Payment.created_at: moments[0]}).where(Payment.id == first["id"])
    ids = [first["id"]]
    for moment in moments[1:]:
        copy = {k: v for k, v in row.items() if k != "id"} | {"uid": str(uuid.uuid4()), "created_at": moment}
        inserted = await Payment.insert(Payment(**copy)).returning(Payment.id)
        ids.append(inserted[0]["id"])
    shown = [ids[2], ids[3], ids[0], ids[1]]  # by time, newest first; at one instant the larger number first
    staff = new_client()
    await login(staff, household["accountant"])
    page = (await staff.get("/staff/payments?size=10")).text
    assert sorted((page.index(f'href="/staff/payments/{i}"'), i) for i in ids) == [
        (page.index(f'href="/staff/payments/{i}"'), i) for i in shown
    ]
    exported = list(csv.reader(io.StringIO((await staff.get("/staff/payments/export.csv")).text[1:]), delimiter=";"))
    assert [int(r[0]) for r in exported[1:]] == shown
    sheet = load_workbook(io.BytesIO((await staff.get("/staff/payments/export.xlsx")).content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == shown
    one_by_one = [
        [r["id"] for r in rows]
        async for rows in newest_batches(Payment, [Payment.id, Payment.created_at], Payment.id.is_in(ids), 10, batch=1)
    ]
    assert one_by_one == [[i] for i in shown]
    assert [
        len(rows) async for rows in newest_batches(Payment, [Payment.id, Payment.created_at], Payment.id > 0, 3)
    ] == [3]


async def test_the_payments_list_shows_a_backwards_period_as_typed_and_without_it(
    client, new_client, login, household, gateway
):
    payment = await paid(client, login, household, gateway, "3540")
    staff = new_client()
    await login(staff, household["accountant"])
    today = clock.today_local()
    url = f"/staff/payments?from={today:%d.%m.%Y}&to=2020-01-01"
    for answer in (await staff.get(url), await staff.get(url, headers={"HX-Request": "true"})):
        assert answer.status_code == 200
        assert f'href="/staff/payments/{payment["id"]}"' in answer.text  # shown without the period
        assert "Нет платежей" not in answer.text
        form = answer.text.split('action="/staff/payments"')[1].split("</form>")[0]
        assert "Конец раньше начала; список показан без этого периода." in form
        assert f'name="from" type="date" value="{today.isoformat()}"' in form  # the start read, in its date field
        assert 'name="to" type="text" value="2020-01-01"' in form and 'aria-invalid="true"' in form
        assert "Не применён период «Создан с» – «Создан по»: его конец раньше начала." in answer.text
        assert "не прочитаны" not in answer.text
    await staff.speak("en")
    english = await staff.get(url)
    assert "The end is before the start; the list is shown without this period." in english.text
    assert "Not applied: “Created from” – “Created to”, as the end is before the start." in english.text
    exported = await staff.get(url.replace("/staff/payments?", "/staff/payments/export.csv?"))
    assert f"\n{payment['id']}," in exported.text  # the export is of the rows shown


async def test_the_account_field_finds_the_payments_of_part_of_the_number(
    client, new_client, login, household, gateway
):
    """An accountant looking up a caller's payment types the account number as they hear it, often its last digits;
    the list found no payment at all for a part, as if none had been made. It now finds the account's payments as
    the account search does; a number of no account still finds none."""
    from portal.housing.actions import refresh_account_search

    payment = await paid(client, login, household, gateway, "3540")
    number = "9101000039"
    await PersonalAccount.update({PersonalAccount.number: number}).where(PersonalAccount.id == payment["account"])
    await refresh_account_search([payment["account"]])  # as the registry import and the account form do
    staff = new_client()
    await login(staff, household["accountant"])
    link = f'href="/staff/payments/{payment["id"]}"'
    assert link in (await staff.get(f"/staff/payments?account={number}")).text
    assert link in (await staff.get(f"/staff/payments?account={number[-6:]}")).text
    csv = await staff.get(f"/staff/payments/export.csv?account={number[-6:]}")
    assert "3540,00" in csv.text
    assert link not in (await staff.get("/staff/payments?account=99999999999999")).text


async def test_the_payments_page_says_bank_payments_are_not_in_it(new_client, login, household):
    """The back office's overview called the payments page «оплаты онлайн и по реестрам банков», and an account paid
    through its bank found «Нет платежей» there: the page lists the portal's payments only, and now says so and
    where the bank's are."""
    staff = new_client()
    await login(staff, household["accountant"])
    page = (await staff.get("/staff/payments")).text
    assert "Платежи через банки и почту — в начислениях и оплатах лицевого счёта." in page
    overview = (await staff.get("/staff")).text
    assert "оплаты через портал: картой, через СБП и автоплатежом" in overview and "реестрам банков" not in overview


async def test_an_account_number_typed_links_to_its_charges_and_payments_with_the_bank_payments(
    new_client, login, household, make_user
):
    """Bank and post-office payments come in registries and go to the account's ledger, not to this list: a search
    by an account's whole number links to that account's charges and payments, for those who may open them (an
    accountant, not an operator), and never for part of a number or an account of someone else's house."""
    number = (await PersonalAccount.select(PersonalAccount.number).where(
        PersonalAccount.id == household["accounts"][0]).first())["number"]  # fmt: skip
    link = f'<a href="/staff/billing/accounts/{household["accounts"][0]}">'
    staff = new_client()
    await login(staff, household["accountant"])
    page = (await staff.get(f"/staff/payments?account={number}")).text
    assert f"{link}Начисления и оплаты счёта {number}, с платежами через банки</a>" in page
    assert link in (await staff.get(f"/staff/payments?account=%E2%84%96{number}")).text  # «№» typed before it
    assert link not in (await staff.get(f"/staff/payments?account={number[:-1]}")).text
    assert "/staff/billing/accounts/" not in (await staff.get("/staff/payments")).text
    operator = new_client()
    await login(operator, await make_user(roles=("operator",), houses=(household["house"],)))
    assert link not in (await operator.get(f"/staff/payments?account={number}")).text
    elsewhere = new_client()
    complex_id = (await House.select(House.complex).where(House.id == household["house"]).first())["complex"]
    other = await House.insert(House(complex=complex_id, address="ул. Другая, д. 1")).returning(House.id)
    await login(elsewhere, await make_user(roles=("accountant",), houses=(other[0]["id"],)))
    assert link not in (await elsewhere.get(f"/staff/payments?account={number}")).text


async def test_the_payments_list_and_a_refund_page_read_no_in_english_and_no_in_russian(
    client, new_client, login, household, gateway
):
    """The number's column of the payments list (its header, and its label on a phone's card) and the refund
    page's title and way back say «No.» to an English reader, «№» to a Russian one; they were «№» in both."""
    payment = await paid(client, login, household, gateway, "3540")
    staff = new_client()
    await login(staff, household["accountant"])
    refund = f"/staff/payments/{payment['id']}/refund"
    russian = [(await staff.get(path)).text for path in ("/staff/payments", refund)]
    assert '<th scope="col">№</th>' in russian[0] and f"Платёж №\u00a0{payment['id']}</a>" in russian[1]
    await staff.speak("en")
    listed, refunding = [(await staff.get(path)).text for path in ("/staff/payments", refund)]
    assert '<th scope="col">No.</th>' in listed and 'data-label="No."' in listed
    assert f"<title>Refund of payment No. {payment['id']}" in refunding
    assert f"Payment No. {payment['id']}</a>" in refunding
    assert "№" not in listed and "№" not in refunding


async def test_a_paid_payment_without_the_services_reference_is_not_offered_a_refund_and_says_why(
    client, new_client, login, household, gateway
):
    """A paid payment the payment service holds no reference of cannot be returned through it: the page offered
    the refund form, and every try answered «Only a paid payment can be refunded» about a paid payment."""
    from portal.payments.tables import Payment
    from portal.payments.tables import Refund

    payment = await paid(client, login, household, gateway, "3540")
    await Payment.update({Payment.intent_id: None}).where(Payment.id == payment["id"])
    staff = new_client()
    await login(staff, household["accountant"])
    why = "У этого платежа нет номера в платёжном сервисе, поэтому портал не может вернуть деньги на карту."
    detail = await staff.get(f"/staff/payments/{payment['id']}")
    assert f'href="/staff/payments/{payment["id"]}/refund"' not in detail.text
    assert why in detail.text  # the payment's page, where the accountant looks for the refund, says why there is none
    form = await staff.get(f"/staff/payments/{payment['id']}/refund")
    assert why in form.text and 'name="amount"' not in form.text
    tried = await staff.form(
        f"/staff/payments/{payment['id']}/refund", {"amount": "100", "reason": "Проверка", "confirm": "1"}
    )
    assert tried.status_code == 422 and why in tried.text
    assert await Refund.count().where(Refund.payment == payment["id"]) == 0


async def test_writing_the_xlsx_holds_up_no_other_request(client, new_client, login, household, monkeypatch):
    """An export of a year's payments is written on a worker thread, not on the event loop, where it held every other
    request of the process until it was done."""
    from portal.core import exports

    staff = new_client()
    await login(staff, household["accountant"])
    writing = held(monkeypatch, exports.Workbook, "content")  # the CPU a big workbook takes
    answer, held_the_loop = await answered(client, staff.get("/staff/payments/export.xlsx"), writing)
    assert answer.status_code == 200 and answer.content.startswith(b"PK")
    assert held_the_loop == [], "/healthz waited for the export"


async def test_the_list_reads_several_houses_a_complex_and_what_was_paid_for_and_counts_what_it_finds(
    new_client, login, make_user, make_account
):
    from portal.payments.tables import Payment

    first, second, theirs = await make_account(), await make_account(), await make_account()
    paid = clock.now()
    for n, (place, amount, purpose) in enumerate(
        [
            (first, 10000, "utilities"),
            (second, 20000, "utilities"),
            (second, 40000, "order"),
            (theirs, 80000, "utilities"),
        ]
    ):
        uid = f"staff-several-{n}"
        await Payment(uid=uid, batch=uid, account=place.account, amount_kopecks=amount, idempotency_key=uid,
                      status="succeeded", paid_at=paid, purpose=purpose).save()  # fmt: skip
    staff = new_client()
    await login(staff, await make_user(roles=("accountant",), houses=(first.house, second.house)))

    async def found(query: str) -> str:
        page = await staff.get(f"/staff/payments?{query}")
        assert page.status_code == 200
        return page.text.split("data-totals>")[1].split("</p>")[0].split("\n")[0].replace("\u00a0", " ").rstrip(".")

    assert await found(f"house={first.house}&house={second.house}") == "Найдено 3 платежа на сумму 700,00 ₽"
    assert await found(f"house={first.house}") == "Найден 1 платёж на сумму 100,00 ₽"  # one house, as before
    complex_id = (await House.select(House.complex).where(House.id == second.house).first())["complex"]
    assert await found(f"complex={complex_id}") == "Найдено 2 платежа на сумму 600,00 ₽"
    assert await found(f"complex={complex_id}&purpose=utilities") == "Найден 1 платёж на сумму 200,00 ₽"
    assert await found("purpose=order") == "Найден 1 платёж на сумму 400,00 ₽"
    # A house none of the user's is said and left out; the houses of theirs still apply.
    page = await staff.get(f"/staff/payments?house={first.house}&house={theirs.house}")
    assert "Такого дома нет в списке; список показан без этого условия." in page.text
    assert "Найден 1 платёж на сумму 100,00" in page.text.replace("\u00a0", " ")
