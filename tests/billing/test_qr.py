"""The payment QR string of ГОСТ Р 56042-2014: every test of DOMAIN.md §3.1, and the image read back."""

from decimal import Decimal as D

import pytest

from portal.billing import qr
from portal.billing.qr import QrError
from portal.billing.qr import QrValidationError

EXAMPLE = (
    'ST00012|Name=ООО "УК Пример"|PersonalAcc=40702810200000000001|BankName=ПАО СБЕРБАНК|BIC=044525225|'
    "CorrespAcc=30101810400000000225|PayeeINN=7700000000|KPP=770001001|Sum=512345|"
    "Purpose=Оплата ЖКУ за 01.2025, л/с 1234567890|PersAcc=1234567890|PaymPeriod=012025|LastName=Иванов|"
    "FirstName=Иван|MiddleName=Иванович|PayerAddress=г. Москва, ул. Примерная, д. 1, кв. 5|TechCode=02"
)

FIELDS = {
    "Name": 'ООО "УК Пример"',
    "PersonalAcc": "40702810200000000001",
    "BankName": "ПАО СБЕРБАНК",
    "BIC": "044525225",
    "CorrespAcc": "30101810400000000225",
    "PayeeINN": "7700000000",
    "KPP": "770001001",
    "Sum": qr.kopecks_of(D("5123.45")),
    "Purpose": "Оплата ЖКУ за 01.2025, л/с 1234567890",
    "PersAcc": "1234567890",
    "PaymPeriod": "012025",
    "LastName": "Иванов",
    "FirstName": "Иван",
    "MiddleName": "Иванович",
    "PayerAddress": "г. Москва, ул. Примерная, д. 1, кв. 5",
    "TechCode": "02",
}


def test_the_full_example_is_built_exactly():
    assert qr.build(FIELDS) == EXAMPLE


def test_the_full_example_field_by_field():
    built = qr.build(FIELDS)
    assert built[:8] == "ST00012|"
    parts = built[8:].split("|")
    assert [p.split("=", 1)[0] for p in parts] == list(FIELDS)
    for part, (alias, value) in zip(parts, FIELDS.items(), strict=True):
        assert part == f"{alias}={value}"
    parsed = qr.parse(EXAMPLE)
    assert parsed.fields == FIELDS
    assert parsed.encoding == "utf-8"


def test_mandatory_block_comes_first_in_its_order_whatever_the_input_order():
    shuffled = dict(reversed(list(FIELDS.items())))
    built = qr.build(shuffled)
    assert [p.split("=")[0] for p in built[8:].split("|")][:5] == list(qr.MANDATORY)


@pytest.mark.parametrize(("rubles", "kopecks"), [("5123.45", "512345"), ("0.01", "1"), ("100", "10000")])
def test_sum_is_in_kopecks(rubles, kopecks):
    assert qr.kopecks_of(D(rubles)) == kopecks


def test_an_eight_digit_bic_is_rejected():
    with pytest.raises(QrValidationError) as error:
        qr.build({**FIELDS, "BIC": "04452522"})
    assert ("BIC", QrError.BIC_LENGTH) in error.value.problems


def test_a_name_with_a_bar_switches_the_separator():
    built = qr.build({**FIELDS, "Name": "ООО |УК| Пример"})
    assert built.startswith("ST00012#Name=ООО |УК| Пример#PersonalAcc=")
    assert "|PersonalAcc" not in built
    assert qr.parse(built)["Name"] == "ООО |УК| Пример"


def test_a_cp1251_string_is_decoded_by_its_header():
    raw = ("ST00011|" + EXAMPLE[8:]).encode("cp1251")
    parsed = qr.parse(raw)
    assert parsed.encoding == "cp1251"
    assert parsed["Name"] == 'ООО "УК Пример"'
    assert parsed["LastName"] == "Иванов"


def test_a_personal_account_failing_the_control_key_is_rejected():
    assert not qr.personal_acc_key_ok("044525225", "40702810000000000001")
    with pytest.raises(QrValidationError) as error:
        qr.build({**FIELDS, "PersonalAcc": "40702810000000000001"})
    assert ("PersonalAcc", QrError.PERSONAL_ACC_KEY) in error.value.problems


def test_the_correspondent_account_passes_its_control_key():
    assert qr.corresp_acc_key_ok("044525225", "30101810400000000225")
    assert qr.personal_acc_key_ok("044525225", "40702810200000000001")
    assert not qr.corresp_acc_key_ok("044525225", "30101810400000000226")


def test_correspondent_account_zero_means_none():
    assert qr.validate({**FIELDS, "CorrespAcc": "0"}) == []


def test_the_string_has_no_trailing_separator():
    built = qr.build(FIELDS)
    assert not built.endswith("|")
    assert built.endswith("TechCode=02")


def test_the_mandatory_block_is_at_most_300_characters():
    longest = {**FIELDS, "Name": "Я" * 160, "BankName": "Б" * 45}
    built = qr.build(longest, encoding="cp1251")
    block = built[8:].split("|TechCode")[0].split("|PayeeINN")[0]
    assert len(block.encode("cp1251")) == 299
    with pytest.raises(QrValidationError) as error:
        qr.build({**longest, "Name": "Я" * 161})
    assert ("Name", QrError.TOO_LONG) in error.value.problems


def test_missing_mandatory_fields_are_reported():
    with pytest.raises(QrValidationError) as error:
        qr.build({k: v for k, v in FIELDS.items() if k != "BankName"})
    assert ("BankName", QrError.MISSING) in error.value.problems


def test_a_repeated_alias_keeps_the_last_value():
    assert qr.parse(EXAMPLE + "|Sum=1")["Sum"] == "1"


def test_aliases_are_case_insensitive_on_parse():
    parsed = qr.parse(EXAMPLE + "|sum=7")
    assert parsed.fields.get("sum") == "7"
    assert "Sum" not in parsed.fields


def test_only_the_first_equals_sign_separates_alias_and_value():
    built = qr.build({**FIELDS, "Purpose": "a=b"})
    assert qr.parse(built)["Purpose"] == "a=b"


def test_the_rendered_image_decodes_back_to_the_payload():
    import io

    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(qr.png_bytes(EXAMPLE)))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the image"
    assert found[0].text == EXAMPLE


def test_a_symbol_is_encoded_once_per_payload_and_each_payload_has_its_own():
    other = qr.build({**FIELDS, "PersAcc": "1234567891", "Sum": "100"})
    for render in (qr.svg_data_uri, qr.png_bytes):
        render.cache_clear()
        first = render(EXAMPLE)
        assert render(EXAMPLE) is first, "the second render reuses the first one's encoding"
        assert (render.cache_info().hits, render.cache_info().misses) == (1, 1)
        assert render(other) != first
        assert render.cache_info().misses == 2


def test_the_kept_symbols_decode_each_to_its_own_payload():
    import io

    import zxingcpp
    from PIL import Image

    other = qr.build({**FIELDS, "PersAcc": "1234567891", "Sum": "100"})
    for payload in (EXAMPLE, other, EXAMPLE, other):
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.png_bytes(payload))))
        assert [r.text for r in found] == [payload]
