"""The payment QR string of ГОСТ Р 56042-2014 (DOMAIN.md §3.1): build, validate, parse; render with segno.

``ST0001`` + encoding digit + separator, then the mandatory block in its fixed order
(Name, PersonalAcc, BankName, BIC, CorrespAcc; ≤ 300 characters), then optional fields, no trailing separator.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal
from enum import StrEnum

import segno

MANDATORY = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
MANDATORY_BLOCK_LIMIT = 300
SEPARATORS = ("|", "#", ";", "^", "~", "@", "$", "&", "*", "!")
ENCODINGS = {"1": "cp1251", "2": "utf-8", "3": "koi8-r"}
ENCODING_DIGITS = {v: k for k, v in ENCODINGS.items()}
TECH_CODE_HOUSING = "02"  # «Коммунальные услуги, ЖКХ» (annex Г)

MAX_LENGTHS: dict[str, int] = {
    "Name": 160,
    "BankName": 45,
    "CorrespAcc": 20,
    "Sum": 18,
    "Purpose": 210,
    "PayeeINN": 12,
    "PayerINN": 12,
    "KPP": 9,
    "DrawerStatus": 2,
    "PaytReason": 2,
    "TaxPaytKind": 2,
    "CBC": 20,
    "OKTMO": 11,
    "TaxPeriod": 10,
    "DocNo": 15,
    "DocDate": 10,
    "TechCode": 2,
}


class QrError(StrEnum):
    MISSING = "missing"
    TOO_LONG = "too_long"
    NOT_DIGITS = "not_digits"
    PERSONAL_ACC_LENGTH = "personal_acc_length"
    BIC_LENGTH = "bic_length"
    PERSONAL_ACC_KEY = "personal_acc_key"
    CORRESP_ACC_KEY = "corresp_acc_key"
    BLOCK_TOO_LONG = "block_too_long"
    NO_SEPARATOR = "no_separator"
    HEADER = "header"


class QrValidationError(ValueError):
    def __init__(self, problems: list[tuple[str, QrError]]) -> None:
        self.problems = problems
        super().__init__(", ".join(f"{name}: {code}" for name, code in problems))


@functools.lru_cache(maxsize=1024)
def _weighted_key_ok(digits: str) -> bool:
    weights = (7, 1, 3)
    total = sum((int(d) * weights[i % 3]) % 10 for i, d in enumerate(digits))
    return total % 10 == 0


def personal_acc_key_ok(bic: str, account: str) -> bool:
    """Bank of Russia control key of a settlement account: last 3 digits of BIC + 20-digit account."""
    if not (bic.isdigit() and len(bic) == 9 and account.isdigit() and len(account) == 20):
        return False
    return _weighted_key_ok(bic[-3:] + account)


def corresp_acc_key_ok(bic: str, account: str) -> bool:
    """Control key of a correspondent account: ``0`` + BIC digits 5–6 + 20-digit account."""
    if not (bic.isdigit() and len(bic) == 9 and account.isdigit() and len(account) == 20):
        return False
    return _weighted_key_ok("0" + bic[4:6] + account)


def kopecks_of(amount: Decimal) -> str:
    """5 123.45 ₽ → ``"512345"`` (the Sum field is in kopecks, digits only)."""
    return str(int((amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100).to_integral_value()))


@dataclass(frozen=True)
class Payload:
    """A parsed QR string: the fields in their order (a repeated alias keeps its last value)."""

    encoding: str
    separator: str
    fields: dict[str, str]

    def __getitem__(self, alias: str) -> str:
        return self.fields[alias]


def validate(fields: Mapping[str, str], *, check_keys: bool = True) -> list[tuple[str, QrError]]:
    """Problems with the fields of a payment QR string (empty when valid)."""
    problems: list[tuple[str, QrError]] = []
    for name in MANDATORY:
        if not str(fields.get(name, "")).strip():
            problems.append((name, QrError.MISSING))
    for name, value in fields.items():
        limit = MAX_LENGTHS.get(name)
        if limit and len(str(value)) > limit:
            problems.append((name, QrError.TOO_LONG))
    acc = str(fields.get("PersonalAcc", ""))
    bic = str(fields.get("BIC", ""))
    corr = str(fields.get("CorrespAcc", ""))
    if acc and (not acc.isdigit() or len(acc) != 20):
        problems.append(("PersonalAcc", QrError.PERSONAL_ACC_LENGTH))
    if bic and (not bic.isdigit() or len(bic) != 9):
        problems.append(("BIC", QrError.BIC_LENGTH))
    if corr and not corr.isdigit():
        problems.append(("CorrespAcc", QrError.NOT_DIGITS))
    for name in ("Sum", "AddAmount"):
        if name in fields and not str(fields[name]).isdigit():
            problems.append((name, QrError.NOT_DIGITS))
    ok_shapes = not any(n in ("PersonalAcc", "BIC", "CorrespAcc") for n, _ in problems)
    if check_keys and ok_shapes:
        if not personal_acc_key_ok(bic, acc):
            problems.append(("PersonalAcc", QrError.PERSONAL_ACC_KEY))
        if corr != "0" and not corr_ok(bic, corr):
            problems.append(("CorrespAcc", QrError.CORRESP_ACC_KEY))
    return problems


def corr_ok(bic: str, corr: str) -> bool:
    return len(corr) == 20 and corresp_acc_key_ok(bic, corr)


def _choose_separator(values: Iterable[str]) -> str:
    values = list(values)
    for candidate in SEPARATORS:
        if not any(candidate in v for v in values):
            return candidate
    raise QrValidationError([("*", QrError.NO_SEPARATOR)])


def build(fields: Mapping[str, str], *, encoding: str = "utf-8", check_keys: bool = True) -> str:
    """The QR string: header, the mandatory block in order, then the optional fields in the order given.

    Raises QrValidationError with every problem found. Empty optional fields are left out.
    """
    clean = {k: str(v).strip() for k, v in fields.items() if v is not None and str(v).strip() != ""}
    problems = validate(clean, check_keys=check_keys)
    if problems:
        raise QrValidationError(problems)
    separator = _choose_separator(clean.values())
    mandatory = separator.join(f"{name}={clean[name]}" for name in MANDATORY)
    size = len(mandatory) if encoding == "utf-8" else len(mandatory.encode(encoding, errors="replace"))
    if size > MANDATORY_BLOCK_LIMIT:
        raise QrValidationError([("*", QrError.BLOCK_TOO_LONG)])
    optional = [f"{name}={value}" for name, value in clean.items() if name not in MANDATORY]
    header = "ST0001" + ENCODING_DIGITS[encoding] + separator
    return header + separator.join([mandatory, *optional])


def encode(payload: str) -> bytes:
    """The bytes to put in the QR symbol, in the encoding its header names."""
    return payload.encode(ENCODINGS[payload[6]])


def parse(data: str | bytes) -> Payload:
    """Read a QR string (bytes are decoded by the header's encoding digit: ``ST00011`` is Windows-1251)."""
    if isinstance(data, bytes):
        head = data[:8].decode("ascii", errors="replace")
        if not head.startswith("ST0001") or head[6:7] not in ENCODINGS:
            raise QrValidationError([("header", QrError.HEADER)])
        text = data.decode(ENCODINGS[head[6]])
    else:
        text = data
    if len(text) < 8 or not text.startswith("ST0001") or text[6] not in ENCODINGS:
        raise QrValidationError([("header", QrError.HEADER)])
    encoding = ENCODINGS[text[6]]
    separator = text[7]
    fields: dict[str, str] = {}
    for part in text[8:].split(separator):
        if not part:
            continue
        alias, _, value = part.partition("=")
        key = next((k for k in fields if k.lower() == alias.lower()), alias)
        fields.pop(key, None)
        fields[alias] = value
    return Payload(encoding=encoding, separator=separator, fields=fields)


# A fixed data mask: choosing the best of eight (segno evaluates each in pure Python) was 85 % of a symbol's
# encoding time. Every reader takes the mask from the symbol's format information; the decoding tests read
# these symbols back.
MASK = 2


def _qr(payload: str) -> segno.QRCode:
    return segno.make(encode(payload), error="m", micro=False, mask=MASK)


# Both renderings are pure functions of the payload string (and the scale), so they are kept in a bounded LRU
# keyed by it: a payload names its account, so one account's symbol is never another's, and who may see a
# receipt is decided by its page before either is called.


@functools.lru_cache(maxsize=1024)
def svg_data_uri(payload: str, scale: int = 4) -> str:
    """The QR symbol as an SVG data URI for an ``<img>`` (the CSP allows ``data:`` images).

    Encoding a symbol and writing its SVG takes ~10 ms, more than the rest of a receipt page: the symbols of
    recently viewed receipts are kept (~14 KB each for a receipt's payload, at most ~14 MB a process)."""
    return _qr(payload).svg_data_uri(scale=scale, border=4)


@functools.lru_cache(maxsize=1024)
def png_bytes(payload: str, scale: int = 6) -> bytes:
    """The QR symbol as a PNG (the receipt's PDF), kept like the SVG (a few KB each)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
