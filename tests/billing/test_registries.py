"""Payment registries (issue 20): every payment credited once whatever file it comes in, a portal payment the bank
lists too credited once, unknown accounts waiting in the queue, a totals line that disagrees stopping the file."""

from __future__ import annotations

import secrets
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from portal.billing import ledger
from portal.billing import registries
from portal.billing import registry_files
from portal.billing.registry_tables import Channel
from portal.billing.registry_tables import LineStatus
from portal.billing.registry_tables import PaymentRegistry
from portal.billing.registry_tables import RegistryPayment
from portal.billing.tables import LedgerEntry
from portal.core.web import Refused
from portal.payments.tables import Payment
from portal.payments.tables import PaymentStatus
from tests.billing.conftest import EVERY_HOUSE

HERE = Path(__file__).parent
BANK = HERE / "bank_registry_sample.txt"
TABLE = HERE / "payments_sample.csv"


def bank_file(*lines: str, totals: str | None = None) -> bytes:
    """A registry in the bank format (Windows-1251) with its totals line counted from the lines."""
    if totals is None:
        kopecks = sum(registry_files.parse_kopecks(line.split(";")[9]) or 0 for line in lines)
        totals = f"={len(lines)};{kopecks // 100},{kopecks % 100:02d};0;0;1;30.11.2026"
    return "\r\n".join(["# Реестр платежей", *lines, totals]).encode("cp1251")


def line(pid: str, account: str, amount: str, day: str = "05.11.2026", period: str = "1026") -> str:
    return f"{day};10:00:00;8626;0001;{pid};{account};Плательщик;Адрес;{period};{amount};{amount};0,00"


@pytest.fixture
async def accounts(make_account, catalog):
    first = await make_account(number="7700000001", payer="Иванов Иван Иванович")
    second = await make_account(number="7700000002", payer="Петрова Анна Сергеевна")
    return first.account, second.account


async def load(content: bytes, name: str = "registry.txt") -> registries.RegistryReport:
    parsed = registry_files.read_registry(name, content)
    assert parsed.ok, [p.message() for p in parsed.problems]
    return await registries.apply_lines(parsed.rows, EVERY_HOUSE, parsed.kind, name)


async def payments_of(account_id: int) -> list[dict]:
    return (
        await LedgerEntry.select()
        .where((LedgerEntry.account == account_id) & (LedgerEntry.kind == "payment"))
        .order_by(LedgerEntry.id)
    )


async def test_a_bank_registry_credits_each_payment_once_and_queues_the_unknown_account(accounts):
    first, second = accounts
    report = await load(BANK.read_bytes())
    assert report.created["credit"] == 2 and report.created["queue"] == 1
    assert await ledger.balance_of(first) == D("-3341.23")
    assert await ledger.balance_of(second) == D("-1500.00")
    (entry,) = await payments_of(first)
    assert entry["pays_period"] == date(2026, 10, 1), "a payment naming its month pays that month first"
    assert entry["reference"] == "registry:SB-20261105-0001"
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED)
    assert [(q["account_number"], q["amount_kopecks"]) for q in queued] == [("9900000099", 81240)]
    channels = {r["payment_id"]: r["channel"] for r in await RegistryPayment.select()}
    assert channels["SB-20261105-0001"] == Channel.BANK_QR and channels["SB-20261106-0002"] == Channel.CASH_DESK


async def test_the_same_file_again_changes_nothing(accounts):
    first, _ = accounts
    await load(BANK.read_bytes())
    counts = (await LedgerEntry.count(), await RegistryPayment.count(), await PaymentRegistry.count())
    again = await load(BANK.read_bytes())
    assert again.changes == 0 and again.updated["seen"] == 3
    assert (await LedgerEntry.count(), await RegistryPayment.count(), await PaymentRegistry.count()) == counts
    assert await ledger.balance_of(first) == D("-3341.23")


async def test_a_second_file_skips_a_payment_credited_from_the_first(accounts):
    first, second = accounts
    await load(BANK.read_bytes())
    other = bank_file(line("SB-20261105-0001", "7700000001", "3341,23"), line("SB-X-9", "7700000002", "10,00"))
    report = await load(other, "another.txt")
    assert report.updated["seen"] == 1 and report.created["credit"] == 1
    assert len(await payments_of(first)) == 1
    assert await ledger.balance_of(first) == D("-3341.23")
    assert await ledger.balance_of(second) == D("-1510.00")


async def test_another_senders_payments_numbered_alike_are_credited_and_its_file_again_adds_nothing(accounts):
    """A bank and the post both number their payments from «1»: the post's «1» is a payment of its own (another
    account, amount or day), credited — or queued — under a reference of its own; each file again adds nothing."""
    first, second = accounts
    bank = bank_file(
        line("1", "7700000001", "100,00"), line("2", "7700000002", "200,00"), line("5", "7700000001", "10,00")
    )
    post = bank_file(
        line("1", "7700000002", "300,00"),
        line("2", "7700000002", "200,00", day="06.11.2026"),
        line("3", "7700000001", "50,00"),
        line("5", "9900000099", "70,00"),
    )
    await load(bank, "bank.txt")
    report = await load(post, "post.txt")
    assert await ledger.balance_of(first) == D("-160.00")
    assert await ledger.balance_of(second) == D("-700.00"), "the post's «1» and «2» are credited too"
    assert report.created["other"] == 2 and report.created["credit"] == 1 and report.created["queue"] == 1
    (queued,) = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED)
    assert queued["payment_id"] == "5" and queued["reference"].startswith("registry:5:")
    references = {e["reference"] for e in await payments_of(second)}
    assert "registry:1" not in references and "registry:2" in references and len(references) == 3
    counts = (await LedgerEntry.count(), await RegistryPayment.count(), await PaymentRegistry.count())
    for content, name in ((post, "post.txt"), (bank, "bank.txt")):
        again = await load(content, name)
        assert again.changes == 0 and set(again.updated) == {"seen"}
    assert (await LedgerEntry.count(), await RegistryPayment.count(), await PaymentRegistry.count()) == counts
    assert await ledger.balance_of(second) == D("-700.00")


async def test_a_known_id_with_another_payment_is_said_so_in_the_preview(accounts):
    await load(bank_file(line("1", "7700000001", "100,00")))
    parsed = registry_files.read_registry("post.txt", bank_file(line("1", "7700000002", "300,00")))
    decided = await registries.decide(parsed.rows, EVERY_HOUSE)
    assert [d.action for d in decided] == [registries.Action.OTHER]
    assert decided[0].reference.startswith("registry:1:")


async def test_a_payment_listed_twice_in_one_file_is_credited_once(accounts):
    first, _ = accounts
    twice = line("SB-2", "7700000001", "100,00")
    report = await load(bank_file(twice, twice))
    assert report.created["credit"] == 1 and report.updated["repeat"] == 1
    assert await ledger.balance_of(first) == D("-100.00")


async def _portal_payment(account_id: int, kopecks: int, paid_at: datetime, *, credit: bool = True) -> dict:
    """A paid portal payment, credited as ``payments.actions._credit`` credits it (unless ``credit`` is False)."""
    uid = secrets.token_hex(8)
    await Payment.insert(
        Payment(
            uid=uid,
            batch=uid,
            account=account_id,
            amount_kopecks=kopecks,
            status=PaymentStatus.SUCCEEDED,
            intent_id=f"pi_{uid}",
            idempotency_key=uid,
            paid_at=paid_at,
        )
    )
    if credit:
        await ledger.post_payment(account_id, D(kopecks) / 100, f"payment:{uid}", paid_at, note="Онлайн-оплата")
    return {"uid": uid, "intent_id": f"pi_{uid}"}


async def test_a_portal_payment_in_the_bank_registry_is_credited_once(accounts):
    first, second = accounts
    paid = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    by_id = await _portal_payment(first, 50000, paid)
    by_amount = await _portal_payment(second, 70000, paid)
    registry = bank_file(
        line(by_id["intent_id"], "7700000001", "500,00"),  # the gateway's id on the bank's line
        line("SB-77", "7700000002", "700,00", day="06.11.2026"),  # the same account, amount and day (±1)
    )
    report = await load(registry)
    assert report.updated.get("known", 0) == 0 and report.created["known"] == 2
    assert await ledger.balance_of(first) == D("-500.00")
    assert await ledger.balance_of(second) == D("-700.00")
    lines = {r["payment_id"]: r for r in await RegistryPayment.select()}
    assert lines["SB-77"]["reference"] == f"payment:{by_amount['uid']}"
    # The same amount once more on another day is another payment.
    await load(bank_file(line("SB-78", "7700000002", "700,00", day="20.11.2026")), "later.txt")
    assert await ledger.balance_of(second) == D("-1400.00")


async def test_a_portal_payment_the_bank_reports_first_is_not_credited_again_by_the_gateway(accounts):
    first, _ = accounts
    paid = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    portal = await _portal_payment(first, 50000, paid, credit=False)
    report = await load(bank_file(line(portal["intent_id"], "7700000001", "500,00")))
    assert report.created["portal"] == 1
    # The gateway's confirmation arrives later: the portal credits under the same reference, which exists.
    assert not await ledger.post_payment(first, D("500.00"), f"payment:{portal['uid']}", paid)
    assert await ledger.balance_of(first) == D("-500.00")


async def test_a_totals_line_that_disagrees_stops_the_file(accounts):
    wrong = bank_file(line("SB-1", "7700000001", "100,00"), totals="=1;150,00;0;0;1;30.11.2026")
    parsed = registry_files.read_registry("wrong.txt", wrong)
    assert not parsed.ok
    (problem,) = parsed.problems
    assert problem.code is registry_files.Problem.TOTALS_SUM and problem.line == 3
    assert "150" in problem.message() and "100" in problem.message()
    counted = bank_file(line("SB-1", "7700000001", "100,00"), totals="=2;100,00;0;0;1;30.11.2026")
    assert [p.code for p in registry_files.read_registry("c.txt", counted).problems] == [
        registry_files.Problem.TOTALS_COUNT
    ]
    missing = "\r\n".join([line("SB-1", "7700000001", "100,00")]).encode("cp1251")
    assert [p.code for p in registry_files.read_registry("m.txt", missing).problems] == [
        registry_files.Problem.NO_TOTALS
    ]


def test_encodings_are_detected():
    text = BANK.read_bytes().decode("cp1251").replace("«", '"').replace("»", '"')
    for encoding, expected in (("cp1251", "cp1251"), ("koi8_r", "koi8_r"), ("utf-8", "utf-8")):
        parsed = registry_files.read_registry("r.txt", text.encode(encoding))
        assert parsed.encoding == expected and parsed.ok, (encoding, parsed.problems)
        assert parsed.rows[0].payer == "Иванов Иван Иванович"


def test_a_registry_in_capitals_or_in_dos_encoding_reads_as_russian():
    """Banks write payers and addresses in capitals, and older systems save in DOS (866): the names read as written
    in the unmatched queue, not as other letters or box drawings."""
    text = BANK.read_bytes().decode("cp1251").replace("«", '"').replace("»", '"')
    capitals = "".join(line if line.startswith("#") else line.upper() for line in text.splitlines(keepends=True))
    for encoding, expected in (("cp1251", "cp1251"), ("koi8_r", "koi8_r"), ("cp866", "cp866")):
        for written, payer in ((capitals, "ИВАНОВ ИВАН ИВАНОВИЧ"), (text, "Иванов Иван Иванович")):
            parsed = registry_files.read_registry("r.txt", written.encode(encoding))
            assert (parsed.encoding, parsed.rows[0].payer) == (expected, payer), (encoding, parsed.problems)


def test_a_file_in_no_encoding_read_is_told_every_encoding_that_is():
    """The message named UTF-8, Windows-1251 and KOI8-R while DOS (866) files were read too: it lists the encodings
    the reader tries, each of which reads a registry."""
    text = BANK.read_bytes().decode("cp1251").replace("«", '"').replace("»", '"')
    # Windows-1251 as far as the encoding is judged by, then a byte it has no letter for.
    unreadable = ("# " + "примечание " * 20_000).encode("cp1251") + b"\x98\r\n" + text.encode("cp1251")
    problems = registry_files.read_registry("r.txt", unreadable).problems
    assert [p.code for p in problems] == [registry_files.Problem.ENCODING]
    said = problems[0].message()
    assert said.endswith(
        "Файл не в одной из принимаемых кодировок (UTF-8, Windows-1251, KOI8-R, CP866 (DOS)): "
        "сохраните его как «CSV UTF-8» или как XLSX."
    )
    for encoding in ("utf-8", "cp1251", "koi8_r", "cp866"):
        assert registry_files.read_registry("r.txt", text.encode(encoding)).encoding == encoding


def test_a_file_of_the_other_kind_is_named_as_such_not_line_by_line():
    """Balances chosen as payments (the kind the page starts with), or a bank's registry chosen as balances: one
    sentence saying which kind to choose, not every line called a bad registry line or three missing columns."""
    balances = "account;period;opening;closing\n7700000001;2026-11;100,00;50,00\n".encode("cp1251")
    payments_table = b"account;amount;paid_on;payment_id\n7700000001;100,00;05.11.2026;T-1\n"
    balances_book = _xlsx([["account", "period", "opening", "closing"], ["7700000001", "2026-11", "1", "2"]])
    for content in (balances, balances_book):
        assert [p.code for p in registry_files.read_registry("b", content).problems] == [
            registry_files.Problem.BALANCES_FILE
        ]
    for content in (BANK.read_bytes(), payments_table, _xlsx([["account", "amount", "paid_on", "payment_id"]])):
        assert [p.code for p in registry_files.read_balances("p", content).problems] == [
            registry_files.Problem.PAYMENTS_FILE
        ]
    assert registry_files.read_balances("b.csv", balances).ok
    assert registry_files.read_registry("r", BANK.read_bytes()).ok
    said = registry_files.LineProblem(1, registry_files.Problem.PAYMENTS_FILE).message()
    assert said.endswith("Это файл платежей, а не сальдо: в «Содержимое файла» выберите «Платежи».")


def test_a_registry_saved_as_excels_unicode_text_says_how_to_save_it():
    """Excel's «Unicode text» is UTF-16: said so, with what to save it as, not «neither a registry nor a table»."""
    table = "account\tamount\tpaid_on\tpayment_id\r\n7700000001\t100,00\t05.11.2026\tT-1\r\n"
    problems = registry_files.read_registry("r.txt", table.encode("utf-16")).problems
    assert [p.code for p in problems] == [registry_files.Problem.UTF16]
    assert (
        problems[0]
        .message()
        .endswith("Файл в кодировке UTF-16 («Юникод-текст» Excel): сохраните его как «CSV UTF-8» или как XLSX.")
    )
    assert [p.code for p in registry_files.read_registry("x", b"a;b\x00c\n").problems] == [
        registry_files.Problem.NOT_A_TABLE
    ]


def _xlsx(rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_lines_with_problems_are_named_by_line():
    bad = bank_file(
        line("SB-1", "7700000001", "сто"),
        line("SB-2", "", "1,00"),
        line("SB-3", "7700000001", "1,00", day="31.02.2026"),
    )
    codes = [(p.line, p.code) for p in registry_files.read_registry("b.txt", bad).problems]
    assert codes == [
        (2, registry_files.Problem.BAD_AMOUNT),
        (3, registry_files.Problem.EMPTY),
        (4, registry_files.Problem.BAD_DATE),
    ]


async def test_the_generic_table_credits_with_its_channel(accounts):
    _, second = accounts
    report = await load(TABLE.read_bytes(), "payments.csv")
    assert report.created["credit"] == 2
    assert await ledger.balance_of(second) == D("-250.50")
    rows = {r["payment_id"]: r for r in await RegistryPayment.select()}
    assert rows["1C-000102"]["channel"] == Channel.SBP and rows["1C-000101"]["period"] == date(2026, 10, 1)


async def test_an_accountant_assigns_a_queued_payment_once_or_returns_it(accounts, make_user):
    first, _ = accounts
    await load(BANK.read_bytes())
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    with pytest.raises(Refused):
        await registries.assign(EVERY_HOUSE, queued["id"], "0000000000")
    await registries.assign(EVERY_HOUSE, queued["id"], "7700000001")
    assert await ledger.balance_of(first) == D("-4153.63")
    with pytest.raises(Refused):
        await registries.assign(EVERY_HOUSE, queued["id"], "7700000001")
    assert await ledger.balance_of(first) == D("-4153.63")
    row = await RegistryPayment.select().where(RegistryPayment.id == queued["id"]).first()
    assert row["status"] == LineStatus.ASSIGNED and row["account"] == first
    # The same payment in a later file is not queued (nor credited) again.
    again = await load(bank_file(line("SB-20261107-0003", "9900000099", "812,40", day="07.11.2026")), "again.txt")
    assert again.changes == 0
    with pytest.raises(Refused):
        await registries.mark_returned(EVERY_HOUSE, queued["id"], "ошибка")


async def test_a_queued_payment_goes_to_the_number_as_written_on_a_receipt_and_an_empty_one_is_asked_for(accounts):
    """«7700 000 001», as receipts group it, is account 7700000001; nothing typed is asked for, not «no account »."""
    first, _ = accounts
    await load(BANK.read_bytes())
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    with pytest.raises(Refused) as empty:
        await registries.assign(EVERY_HOUSE, queued["id"], "  ")
    assert str(empty.value) == "Укажите номер лицевого счёта, на который зачислить платёж."
    assert await registries.assign(EVERY_HOUSE, queued["id"], " 7700 000\u00a0001 ") == first
    assert await ledger.balance_of(first) == D("-4153.63")


async def test_a_queued_payment_whose_reference_is_credited_already_is_refused_and_stays_queued(accounts):
    """The ledger keeps a reference once: assigning a line it already holds says so, marks nothing credited."""
    first, _ = accounts
    await load(BANK.read_bytes())
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    reference = queued["reference"] or registries.registry_reference(queued["payment_id"])
    moment = datetime(2026, 11, 7, 12, tzinfo=UTC)
    assert await ledger.post_payment(first, D("1.00"), reference, moment)
    with pytest.raises(Refused) as refused:
        await registries.assign(EVERY_HOUSE, queued["id"], "7700000001")
    assert str(refused.value) == "Этот платёж уже зачислен, второй раз он не зачисляется."
    row = await RegistryPayment.select().where(RegistryPayment.id == queued["id"]).first()
    assert row["status"] == LineStatus.UNMATCHED and row["account"] is None and row["resolved_by"] is None


async def test_a_payment_credited_while_another_accountant_returns_it_is_not_said_returned(accounts, monkeypatch):
    """Both read the line waiting; the one who credits it first wins, and the return is refused, not recorded."""
    from portal.core.tables import AuditEvent

    await load(BANK.read_bytes())
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    await registries.assign(EVERY_HOUSE, queued["id"], "7700000001")

    async def read_before_the_credit(line_id: int) -> dict[str, Any]:
        return queued

    monkeypatch.setattr(registries, "_queued", read_before_the_credit)
    with pytest.raises(Refused):
        await registries.mark_returned(EVERY_HOUSE, queued["id"], "ошибка")
    row = await RegistryPayment.select().where(RegistryPayment.id == queued["id"]).first()
    assert row["status"] == LineStatus.ASSIGNED
    assert await AuditEvent.count().where(AuditEvent.action == "billing.registry.return") == 0


async def test_a_payment_returned_while_another_accountant_credits_it_is_not_credited(accounts, monkeypatch):
    """Both read the line waiting; the one who returns it first wins, and the credit is refused, nothing posted."""
    first, _ = accounts
    await load(BANK.read_bytes())
    queued = await RegistryPayment.select().where(RegistryPayment.status == LineStatus.UNMATCHED).first()
    before = await ledger.balance_of(first)
    await registries.mark_returned(EVERY_HOUSE, queued["id"], "ошибка")

    async def read_before_the_return(line_id: int) -> dict[str, Any]:
        return queued

    monkeypatch.setattr(registries, "_queued", read_before_the_return)
    with pytest.raises(Refused) as refused:
        await registries.assign(EVERY_HOUSE, queued["id"], "7700000001")
    assert str(refused.value) == "Этот платёж уже не ждёт разбора."
    row = await RegistryPayment.select().where(RegistryPayment.id == queued["id"]).first()
    assert row["status"] == LineStatus.RETURNED and row["account"] is None
    assert await ledger.balance_of(first) == before


def test_an_xlsx_table_of_payments_is_read_like_the_csv():
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Лицевой счёт", "Сумма", "Дата оплаты", "Период", "Номер платежа", "Канал"])
    sheet.append(["7700000001", 1000.5, "12.11.2026", "10.2026", "1C-1", "касса"])
    sheet.append(["7700000002", "250,00", "13.11.2026", "", "1C-2", "qr"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = registry_files.read_registry("payments.xlsx", buffer.getvalue())
    assert parsed.ok and parsed.kind == "table", parsed.problems
    assert [(r.account, r.amount_kopecks, r.period, r.channel) for r in parsed.rows] == [
        ("7700000001", 100050, date(2026, 10, 1), Channel.CASH_DESK),
        ("7700000002", 25000, None, Channel.BANK_QR),
    ]
