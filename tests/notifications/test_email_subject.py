"""A long Cyrillic subject reads in the reader's mail client as it was written: the e-mail package's own folding
dropped the space between two of its encoded words («Гарантийная претензия:г. Симферополь»)."""

from __future__ import annotations

import email
from email import policy

import pytest

from portal.notifications.channels import build_email


@pytest.mark.parametrize(
    "subject",
    [
        "Гарантийная претензия: г. Симферополь, ул. Киевская, д. 189А, кв. 12 (заявка № 1042)",
        "Заявка № 1042: выполнена",
        "Request No. 1042 is done, and this subject is long enough for the e-mail package to fold it anyway",
    ],
)
def test_a_subject_reads_as_written_after_folding(subject):
    built = build_email({"recipient": "to@example.ru", "subject": subject, "body": "x", "dedupe_key": "k"})
    assert all(len(line) <= 78 for line in built.as_string().splitlines())
    assert email.message_from_bytes(built.as_bytes(), policy=policy.default)["Subject"] == subject
