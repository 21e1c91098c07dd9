"""Settings: one frozen dataclass read from the environment, with defaults for the embedded mode."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_from_file(path: Path) -> str:
    """Read the secret key kept outside the repository, generating it on first start."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEMO_COMPANY = "УК «Монолит Комфорт»"
DEMO_COMPANY_EN = "Monolit Komfort"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    var_dir: Path
    redis_url: str | None = None
    time_zone: str = "Europe/Simferopol"
    base_url: str = "http://127.0.0.1:8000"
    company_name: str = DEMO_COMPANY
    # The company's name on English pages and in English messages; empty: the Russian name, marked as Russian.
    company_name_en: str = DEMO_COMPANY_EN
    # The contacts page publishes these (ПП № 416 asks a УК to publish its dispatch service's phones, which answer
    # round the clock, DOMAIN §5, and its office's address, phones, e-mail and hours); the defaults are the demo's.
    emergency_phone: str = "+7 (3652) 00-00-00"
    office_address: str = "295000, Республика Крым, г. Симферополь, ул. Пушкина, д. 1"
    office_phone: str = "+7 (3652) 00-00-01"
    office_email: str = "info@monolit-comfort.example"
    # (days, hours) as the company writes them, in the order shown.
    office_hours: tuple[tuple[str, str], ...] = (
        ("Пн–Чт", "8:00–17:00"),
        ("Пт", "8:00–16:00"),
        ("Перерыв", "12:00–12:48"),
        ("Сб, Вс", "выходные"),
    )
    # The same hours in English for English pages (the weekdays and «выходные» are words, not data); empty: the
    # Russian ones, marked as Russian.
    office_hours_en: tuple[tuple[str, str], ...] = (
        ("Mon–Thu", "8:00–17:00"),
        ("Fri", "8:00–16:00"),
        ("Lunch break", "12:00–12:48"),
        ("Sat, Sun", "closed"),
    )
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "portal@example.ru"
    payment_gateway_url: str = "http://127.0.0.1:8001"
    # The SMS provider's HTTP API (the sandbox provider of portal/sandbox_sms in dev, demo and tests);
    # empty: text messages are kept for the staff Outbox page.
    sms_provider_url: str = "http://127.0.0.1:8002"
    sms_api_key: str = "sms_test_portal"
    sms_sender: str = "UK-Monolit"
    # Web push (VAPID): the contact given to push services; the key pair is generated into var/ on first use.
    vapid_subject: str = "mailto:portal@example.ru"
    payment_secret_key: str = "sk_test_portal"
    payment_webhook_secret: str = "whsec_portal_sandbox"
    # How long an accountant's «Сверить» may ask the payment service within the request; the scheduled
    # reconciliation, started at once, finishes the rest.
    reconcile_seconds: float = 3.0
    # How long one hourly autopay run may charge (PAYMENT_AUTOPAY_SECONDS): it goes through every due mandate in
    # batches and stops at this budget, so other jobs are not held up on the charge day; the next run continues.
    autopay_seconds: float = 1800.0
    # How long a page's write waits for a row or database another transaction holds (an import, a job) before the
    # page says «busy, try again» (503); jobs and imports wait as long as it takes.
    web_lock_wait: float = 5.0
    secure_cookies: bool = False
    run_jobs: bool = True
    # Accounts a month's receipts are issued for in one transaction of the job (its progress moves by as many).
    receipts_batch: int = 500
    # Lines of the meters' XLSX export for billing written between two saves of its progress.
    meters_export_batch: int = 500
    debug: bool = False
    # The days of the month meter readings are collected (ПП № 354 п. 31 "е" fixes only the last, the 25th; a
    # management contract may set another); both within 1–28, so that every month has them.
    meter_window_start_day: int = 15
    meter_window_end_day: int = 25
    # The days house (ОДПУ) meters are read by staff (DOMAIN §4.1: the 23rd–26th, a contract may set others).
    house_window_start_day: int = 23
    house_window_end_day: int = 26
    # How many days before an owners' meeting's voting ends the owners who have not voted are reminded
    # (MEETING_REMINDER_DAYS).
    meeting_reminder_days: int = 3
    # BALLOT_SNILS_KEEP_YEARS: how many years from the date of a meeting's protocol the owners' СНИЛС typed from its
    # paper ballots are kept, then erased (152-ФЗ ст. 5 ч. 7: no longer than the purpose needs). They are kept while
    # the meeting's documents must be kept and its decisions may be challenged: the housing inspectorate keeps the
    # originals 3 years (ЖК ст. 46 ч. 1.1, DOMAIN §7.3), and a challenge in court (6 months, ст. 46 ч. 6) may need
    # the voters identified. The company's lawyer may set another term; the policy page states the one in force.
    ballot_snils_keep_years: int = 3
    # ONE_TIME_TOKEN_KEEP_DAYS: how many days after it expired a one-time link or code (a password reset, an
    # invitation, a confirmation of an e-mail or a phone) is kept, with the address or number it was sent to, before it
    # is deleted: it opens nothing once expired, and is kept only while a person may ask why their link did not work.
    one_time_token_keep_days: int = 30
    # OWNER_DOCS_KEEP_DAYS: how many days after a new owner's application is decided (applied, or refused or
    # withdrawn) its documents (the ЕГРН extract, the contract: they carry passport data) are kept, then deleted
    # (152-ФЗ ст. 5 ч. 7). [VERIFY] with the company's lawyer: the register of owners keeps the document's name and
    # number (Ownership.document) for good; the copy is kept only to prove, in a dispute over the account opened
    # or the charges billed on it, that the change was made on a document, and such a claim is barred after 3 years
    # (ГК РФ ст. 196), hence 1095 days.
    owner_docs_keep_days: int = 1095
    # REQUEST_FILES_KEEP_YEARS: how many years after a request is finished (done, closed or cancelled) its photos and
    # attachments (a meter's passport among them) are deleted; the request, its history and texts stay. [VERIFY]: 3,
    # the general claim limitation period (ГК РФ ст. 196) within which a resident may sue over the work.
    request_files_keep_years: int = 3
    # ORPHANS_MAX_SHARE: the per cent of the stored files a run of the orphan files' sweep walks (50 at least) that
    # may be no row's: past it the run deletes nothing and fails (core.orphans), as it would on an empty or another
    # database started with this folder of uploads.
    orphans_max_share: int = 20
    # VIEWING_KEEP_DAYS: how many days after a showcase viewing request was last worked on (its viewing arranged, the
    # deal made or lost) the name, phone and words of a visitor who sent it without signing in are deleted: they were
    # given only to arrange that viewing (the consent's purpose, showcase.consent).
    viewing_keep_days: int = 90
    # CALLER_KEEP_DAYS: how many days after a visit to the client centre was to start the name and phone of a caller
    # without a sign-in, booked by the call centre, are deleted from it: they were given only to arrange that visit.
    caller_keep_days: int = 30
    # The working days within which a meter a resident installed is commissioned (sealed) after the application
    # (ПП № 354 п. 81; METER_COMMISSIONING_DAYS): the company's setting until its lawyer confirms the law's days.
    meter_commissioning_days: int = 15
    # The freight lift's bookings for a move or repairs, the company's rules: slots of LIFT_SLOT_HOURS hours on working
    # days within LIFT_WEEKDAY_HOURS, on Saturdays within LIFT_SATURDAY_HOURS («8-20», «10-18»), none on Sundays and
    # holidays (core.calendar).
    lift_slot_hours: int = 2
    lift_weekday_hours: tuple[int, int] = (8, 20)
    lift_saturday_hours: tuple[int, int] = (10, 18)
    # INSPECTION_OVERDUE_DAYS: a house with no inspection round (обход) completed in so many days is listed as
    # «давно не было обхода» on the rounds' page (ПП № 491 п. 13: common property is inspected regularly).
    inspection_overdue_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def sqlite_path(self) -> Path | None:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("PORTAL_VAR_DIR", str(ROOT / "var")))
        database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'portal.sqlite'}"
        secret = env.get("SECRET_KEY") or _secret_from_file(var_dir / "secret_key")
        return cls(
            database_url=database_url,
            secret_key=secret,
            var_dir=var_dir,
            redis_url=env.get("REDIS_URL") or None,
            time_zone=env.get("TIME_ZONE", "Europe/Simferopol"),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            company_name=env.get("COMPANY_NAME") or DEMO_COMPANY,
            # Another company's name has no English one until it is given (the demo's would be wrong for it).
            company_name_en=env.get("COMPANY_NAME_EN", "" if env.get("COMPANY_NAME") else DEMO_COMPANY_EN),
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM", "portal@example.ru"),
            payment_gateway_url=env.get("PAYMENT_GATEWAY_URL", "http://127.0.0.1:8001").rstrip("/"),
            payment_secret_key=env.get("PAYMENT_SECRET_KEY", "sk_test_portal"),
            sms_provider_url=env.get("SMS_PROVIDER_URL", "http://127.0.0.1:8002").rstrip("/"),
            sms_api_key=env.get("SMS_API_KEY", "sms_test_portal"),
            sms_sender=env.get("SMS_SENDER", "UK-Monolit"),
            vapid_subject=env.get("VAPID_SUBJECT", "mailto:" + env.get("SMTP_FROM", "portal@example.ru")),
            payment_webhook_secret=env.get("PAYMENT_WEBHOOK_SECRET", "whsec_portal_sandbox"),
            reconcile_seconds=float(env.get("PAYMENT_RECONCILE_SECONDS") or 3),
            autopay_seconds=float(env.get("PAYMENT_AUTOPAY_SECONDS") or 1800),
            web_lock_wait=float(env.get("WEB_LOCK_WAIT_SECONDS") or 5),
            secure_cookies=env.get("BASE_URL", "").startswith("https://"),
            # With Redis the jobs run in `portal worker` (SAQ) and app processes only serve pages.
            run_jobs=env.get("PORTAL_RUN_JOBS", "0" if env.get("REDIS_URL") else "1") == "1",
            receipts_batch=max(1, int(env.get("RECEIPTS_BATCH") or 500)),
            meters_export_batch=max(1, int(env.get("METERS_EXPORT_BATCH") or 500)),
            debug=env.get("PORTAL_DEBUG", "0") == "1",
            meeting_reminder_days=max(1, int(env.get("MEETING_REMINDER_DAYS") or 3)),
            ballot_snils_keep_years=max(1, int(env.get("BALLOT_SNILS_KEEP_YEARS") or 3)),
            one_time_token_keep_days=max(1, int(env.get("ONE_TIME_TOKEN_KEEP_DAYS") or 30)),
            owner_docs_keep_days=max(1, int(env.get("OWNER_DOCS_KEEP_DAYS") or 1095)),
            request_files_keep_years=max(1, int(env.get("REQUEST_FILES_KEEP_YEARS") or 3)),
            orphans_max_share=min(100, max(1, int(env.get("ORPHANS_MAX_SHARE") or 20))),
            viewing_keep_days=max(1, int(env.get("VIEWING_KEEP_DAYS") or 90)),
            caller_keep_days=max(1, int(env.get("CALLER_KEEP_DAYS") or 30)),
            meter_commissioning_days=max(1, int(env.get("METER_COMMISSIONING_DAYS") or 15)),
            lift_slot_hours=max(1, int(env.get("LIFT_SLOT_HOURS") or 2)),
            inspection_overdue_days=max(1, int(env.get("INSPECTION_OVERDUE_DAYS") or 30)),
            lift_weekday_hours=_hours(env.get("LIFT_WEEKDAY_HOURS") or "8-20"),
            lift_saturday_hours=_hours(env.get("LIFT_SATURDAY_HOURS") or "10-18"),
            **_meter_window(env),
        )


def _hours(text: str) -> tuple[int, int]:
    """«8-20»: from 08:00 to 20:00 (whole hours of a day, the start before the end)."""
    start, _, end = text.partition("-")
    hours = int(start), int(end)
    if not 0 <= hours[0] < hours[1] <= 24:
        raise ValueError(f"hours {text!r}: need «start-end», 0 ≤ start < end ≤ 24")
    return hours


def _meter_window(env: dict[str, str]) -> dict[str, int]:
    """The flats' window (METER_WINDOW_*) and the house meters' (HOUSE_WINDOW_*), each within 1–28."""
    days = {}
    for prefix, name, first, last in (("METER", "meter", 15, 25), ("HOUSE", "house", 23, 26)):
        start = int(env.get(f"{prefix}_WINDOW_START_DAY") or first)
        end = int(env.get(f"{prefix}_WINDOW_END_DAY") or last)
        if not 1 <= start <= end <= 28:
            raise ValueError(
                f"{prefix}_WINDOW_START_DAY {start} and {prefix}_WINDOW_END_DAY {end}: need 1 ≤ start ≤ end ≤ 28"
            )
        days.update({f"{name}_window_start_day": start, f"{name}_window_end_day": end})
    return days


_current: Settings | None = None


def get_settings() -> Settings:
    """The settings of this process (read once from the environment)."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def use_settings(settings: Settings) -> None:
    """Make ``settings`` the settings of this process (the app factory and tests call it)."""
    global _current
    _current = settings
