"""Tables of the billing domain: payees, services, charges, imports, the ledger, balances, receipts (ЕПД).

Money is integer kopecks. Financial records keep ``ON DELETE RESTRICT`` towards what they describe.
Composite indexes and uniques live in the hand-written migration (``migrations/billing``).
"""

from decimal import Decimal
from enum import StrEnum

from piccolo.columns import JSON
from piccolo.columns import BigInt
from piccolo.columns import Boolean
from piccolo.columns import Date
from piccolo.columns import ForeignKey
from piccolo.columns import Integer
from piccolo.columns import Numeric
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.housing.tables import PersonalAccount


class Basis(StrEnum):
    """How the volume of a charge was found."""

    METERED = "metered"
    NORM = "norm"
    AVERAGE = "average"


class BatchStatus(StrEnum):
    APPLIED = "applied"


class EntryKind(StrEnum):
    """What a ledger entry is; the sign of its amount says whether it adds to the debt."""

    CHARGE = "charge"
    PAYMENT = "payment"
    PENALTY = "penalty"
    CORRECTION = "correction"
    REFUND = "refund"


class Payee(Table):
    """Получатель платежа: the УК itself, a capital-repair account or a supplier, with its requisites."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=160)
    inn = Varchar(length=12, default="")
    kpp = Varchar(length=9, default="")
    bank_name = Varchar(length=45, default="")
    bic = Varchar(length=9, default="")
    settlement_account = Varchar(length=20, default="")
    corresp_account = Varchar(length=20, default="0")
    address = Varchar(length=255, default="")
    phone = Varchar(length=64, default="")
    email = Varchar(length=255, default="")
    site = Varchar(length=255, default="")
    dispatch_phones = Varchar(
        length=255, default="", help_text="The emergency dispatch service's numbers, printed on the receipt (п. 69)."
    )
    capital_repair = Boolean(default=False, help_text="Capital-repair contributions: penalties from day 1 at 1/300.")
    sort_order = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Service(Table):
    """Услуга on the receipt: содержание жилья, ХВС, ГВС … with its unit and payee."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=160)
    unit = Varchar(length=16, default="")
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False, index=True)
    sort_order = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ImportBatch(Table):
    """One applied file of charges from the billing system (re-applying the same file changes nothing)."""

    id = Serial(primary_key=True)
    file_name = Varchar(length=255, default="")
    file_hash = Varchar(length=64, index=True)
    period = Date(index=True)
    status = Varchar(length=16, default=BatchStatus.APPLIED, choices=BatchStatus)
    rows = Integer(default=0)
    accounts = Integer(default=0)
    total_kopecks = BigInt(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Charge(Table):
    """Начисление: one service of one account for one billing month (natural key: account, period, service)."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date(index=True)
    service = ForeignKey(Service, on_delete=OnDelete.restrict, null=False)
    volume = Numeric(digits=(14, 4))
    tariff_kopecks = BigInt(default=0, help_text="Tariff per unit in kopecks.")
    amount_kopecks = BigInt(default=0)
    recalculation_kopecks = BigInt(default=0)
    recalculation_reason = Varchar(length=255, default="")
    basis = Varchar(length=16, default=Basis.METERED, choices=Basis)
    basis_note = Varchar(length=255, default="")
    # Parts of the ЕПД (ПП № 354 п. 69) that explain the amount (it already holds them): 0 where they do not apply.
    volume_common = Numeric(
        digits=(14, 4), default=Decimal("0"), help_text="Volume for common needs (ОДН), informative."
    )
    coefficient = Numeric(
        digits=(6, 2), default=Decimal("0"), help_text="The increasing coefficient applied, e.g. 1.5."
    )
    coefficient_kopecks = BigInt(default=0, help_text="The part of the amount due to the increasing coefficient.")
    benefit_kopecks = BigInt(default=0, help_text="Benefits and subsidies already deducted from the amount.")
    batch = ForeignKey(ImportBatch, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LedgerEntry(Table):
    """Запись лицевого счёта: charge, payment, penalty, correction or refund; the balance is their sum.

    ``amount_kopecks`` is signed: positive increases the debt (charge, penalty, refund), negative decreases it.
    """

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    occurred_at = Timestamptz()
    period = Date()
    kind = Varchar(length=16, choices=EntryKind)
    amount_kopecks = BigInt()
    reference = Varchar(length=128, null=True, default=None, unique=True)
    note = Varchar(length=255, default="")
    pays_period = Date(
        null=True,
        default=None,
        help_text="The billing month a payment names (its receipt, the QR's PaymPeriod): it pays that month first.",
    )
    created_at = Timestamptz(default=TimestamptzNow())


class Balance(Table):
    """Snapshot of an account for one billing month, so resident pages never sum years of history."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date(index=True)
    opening_kopecks = BigInt(default=0)
    charged_kopecks = BigInt(default=0)
    paid_kopecks = BigInt(default=0)
    penalties_kopecks = BigInt(default=0)
    other_kopecks = BigInt(default=0, help_text="Corrections and refunds.")
    closing_kopecks = BigInt(default=0)


class PenaltyAccrual(Table):
    """The penalty of one debt item accrued in one month, with its calculation (shown on the receipt)."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date()
    debt_period = Date()
    capital_repair = Boolean(default=False)
    due_date = Date()
    amount_kopecks = BigInt()
    recalculated_kopecks = BigInt(
        default=0, help_text="The part of the amount that re-prices this debt's penalty of earlier months."
    )
    lines = JSON(default="[]")


class KeyRate(Table):
    """Ключевая ставка: the Bank of Russia's key rate in force from a date, entered by an accountant (DOMAIN.md §2.3);
    the rates shipped with the code are the initial data and an entry of the same date replaces one of them."""

    id = Serial(primary_key=True)
    valid_from = Date(unique=True)
    rate = Numeric(digits=(5, 2), help_text="% a year")
    source = Varchar(length=255, default="", help_text="The Bank of Russia's decision, e.g. its date.")
    entered_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PenaltyRule(Table):
    """A row of the period table of moratoria and caps (DOMAIN.md §2.4) entered by an accountant: the days
    ``valid_from``…``valid_to`` (inclusive) accrue nothing, at a fixed rate, at a capped rate, or nothing on debts of
    billing months before ``debts_before``. The rows shipped with the code are the initial data; an entry of the same
    ``valid_from`` and ``kind`` replaces one of them, other entries add to the table."""

    id = Serial(primary_key=True)
    valid_from = Date()
    valid_to = Date()
    kind = Varchar(length=24, help_text="rules.RuleKind")
    rate = Numeric(digits=(5, 2), null=True, default=None, help_text="% a year: the fixed rate or the cap")
    debts_before = Date(null=True, default=None)
    source = Varchar(length=255, default="", help_text="The act that sets it, e.g. ПП РФ № 474 от 26.03.2022.")
    entered_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class OutageReduction(Table):
    """Перерасчёт за перерыв: one account's part of an interruption of a utility recorded by the dispatch service
    (``outage``: its id in the tickets domain), with the hours beyond the permitted interruption it adds in its month
    and the reduction of the month's charge for the service (DOMAIN.md §5; ПП РФ № 354, прил. 1). A row is written
    for every closed interruption of a service the act covers (the month's total needs them all), once per account."""

    id = Serial(primary_key=True)
    outage = Integer(index=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False, index=True)
    period = Date(index=True)
    service = Varchar(length=16)
    started_at = Timestamptz()
    ended_at = Timestamptz()
    outage_hours = Numeric(digits=(8, 2))
    permitted_hours = Numeric(digits=(6, 2), null=True, default=None, help_text="at once; None: no such limit")
    hours_beyond = Numeric(digits=(8, 2), help_text="what this interruption adds to the month's hours beyond")
    percent = Numeric(digits=(8, 4), help_text="the reduction of the month's charge for the service, %")
    created_at = Timestamptz(default=TimestamptzNow())


class Receipt(Table):
    """ЕПД: the payment document of an account for a billing month."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date(index=True)
    payer_name = Varchar(length=255, default="")
    address = Varchar(length=255, default="")
    opening_kopecks = BigInt(default=0)
    charged_kopecks = BigInt(default=0, help_text="What the services of the month add up to.")
    corrections_kopecks = BigInt(
        default=0, help_text="Balance corrections of the month (an opening balance taken over, a staff correction)."
    )
    paid_kopecks = BigInt(default=0)
    penalties_kopecks = BigInt(default=0)
    to_pay_kopecks = BigInt(default=0)
    due_date = Date()
    issued_at = Timestamptz(default=TimestamptzNow())
    issued_by = Integer(null=True, default=None)


class ReceiptSection(Table):
    """One payee's part of a receipt, with its own total and its own ГОСТ QR payload."""

    id = Serial(primary_key=True)
    receipt = ForeignKey(Receipt, on_delete=OnDelete.cascade, null=False, index=True)
    payee = ForeignKey(Payee, on_delete=OnDelete.restrict, null=False)
    charged_kopecks = BigInt(default=0)
    total_kopecks = BigInt(default=0)
    qr_payload = Text(default="")


class ReceiptNotice(Table):
    """«Квитанция готова»: the people of an account told once that its receipt of a month is issued. Staff's issue
    writes the row (``sent_at`` empty: waiting); the job that tells them (``billing.notices``) fills ``sent_at``. A
    receipt issued again that month finds its row there and tells nobody again."""

    id = Serial(primary_key=True)
    account = ForeignKey(PersonalAccount, on_delete=OnDelete.restrict, null=False)
    period = Date()
    key = Varchar(length=32, unique=True)  # "<account>:<YYYY-MM>": one a month per account
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None, index=True)
