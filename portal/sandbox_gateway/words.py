"""The hosted page's words in the payer's language, as Stripe's Checkout speaks the session's ``locale``.

The portal opens a session with ``locale`` (Stripe's parameter: ``auto`` or a language tag); the sandbox speaks
Russian and English, and for ``auto``, no locale or a language it does not speak it reads the browser's
``Accept-Language`` (Russian when it names neither). Each page speaks one language and says so in ``lang``."""

from __future__ import annotations

import re

SPOKEN = ("ru", "en")
DEFAULT = "ru"
# Stripe's locale values are ``auto`` and tags such as ``ru``, ``en``, ``en-GB``, ``es-419``, ``zh-HK``.
LOCALE = re.compile(r"^(auto|[a-z]{2,3}(-[A-Z]{2}|-419|-Hans|-Hant)?)$")

WORDS: dict[str, tuple[str, str]] = {
    "payment": ("Оплата", "Payment"),
    "test_mode": ("Тестовый режим", "Test mode"),
    "foot": (
        "Платёжная страница шлюза: данные карты не передаются магазину.",
        "The gateway's page: card details never reach the merchant.",
    ),
    "method": ("Способ оплаты", "Payment method"),
    "card": ("Карта", "Card"),
    "sbp": ("СБП", "Faster Payments"),
    "failed": ("Платёж не прошёл.", "Payment failed."),
    "try_another": ("Попробуйте другую карту.", "Try another card."),
    "card_number": ("Номер карты", "Card number"),
    "expiry": ("Срок (ММ/ГГ)", "Expiry (MM/YY)"),
    "pay": ("Оплатить %(amount)s", "Pay %(amount)s"),
    "save_card": ("Сохранить карту", "Save card"),
    "cancel": ("Отменить и вернуться", "Cancel and return"),
    "test_cards": ("Тестовые карты", "Test cards"),
    "test_cards_hint": (
        "Любой будущий срок и любой CVC из трёх цифр.",
        "Any future expiry and any 3-digit CVC.",
    ),
    "save_for_autopay": ("Сохранение карты для автоплатежа", "Save a card for automatic payments"),
    "nothing_now": ("Деньги сейчас не списываются.", "Nothing is charged now."),
    "confirm_title": ("Подтверждение платежа", "Confirm the payment"),
    "confirm_text": (
        "Банк просит подтвердить операцию (3-D Secure). В тестовом режиме выберите исход.",
        "Your bank asks you to authenticate (3-D Secure). In test mode choose the outcome.",
    ),
    "approve": ("Подтвердить", "Approve"),
    "fail": ("Отклонить", "Fail"),
    "closed_title": ("Сессия оплаты закрыта", "This payment session has expired"),
    "closed_text": ("Деньги не списаны. Начните оплату заново.", "Nothing was charged. Start the payment again."),
    "return": ("Вернуться", "Return"),
    "sbp_title": ("Оплата через СБП", "Pay by Faster Payments"),
    "sbp_text": (
        "Отсканируйте QR-код камерой телефона или в приложении банка и подтвердите перевод.",
        "Scan the QR code with your bank's app and confirm the transfer.",
    ),
    "sbp_qr": ("QR-код СБП на %(amount)s", "Faster Payments QR code for %(amount)s"),
    "sbp_confirm": ("Подтвердить оплату (тест)", "Confirm payment (test)"),
    "sbp_decline": ("Банк отклонил (тест)", "Bank declines (test)"),
    # Field errors of the card form.
    "number_missing": ("Введите номер карты.", "Enter the card number."),
    "number_invalid": ("Неверный номер карты.", "Your card number is invalid."),
    "expiry_invalid": ("Срок действия в виде ММ/ГГ.", "Enter the expiry as MM/YY."),
    "expiry_past": ("Срок действия карты истёк.", "Your card's expiration date is invalid."),
    "cvc_invalid": ("CVC — три цифры на обороте карты.", "Your card's security code is invalid."),
    # The test cards.
    "succeeds": ("успешная оплата", "succeeds"),
    "declined": ("отказ", "declined"),
    "insufficient": ("недостаточно средств", "insufficient funds"),
    "authentication": ("подтверждение 3-D Secure", "authentication"),
    "always_authenticates": ("3-D Secure всегда", "always authenticates"),
    "attaches_fails": ("сохраняется, списание не проходит", "attaches, charges fail"),
}

# The gateway keeps Stripe's English messages on its objects (clients read them); the page says them in Russian.
MESSAGES_RU = {
    "Your card was declined.": "Карта отклонена.",
    "Your card has insufficient funds.": "На карте недостаточно средств.",
    "Your card was declined. This transaction requires authentication.": "Карта отклонена: нужно подтверждение.",
    "We are unable to authenticate your payment method. Please choose a different payment method.": (
        "Не удалось подтвердить платёж. Выберите другую карту."
    ),
    "The payment was declined by the bank.": "Банк отклонил платёж.",
    "The bank declined the Faster Payments transfer.": "Банк отклонил платёж СБП.",
}


def negotiate(accept_language: str | None) -> str:
    """The first of the spoken languages the browser names, else Russian."""
    for part in (accept_language or "").split(","):
        base = part.split(";")[0].strip().split("-")[0].lower()
        if base in SPOKEN:
            return base
    return DEFAULT


def page_language(session_locale: str | None, accept_language: str | None) -> str:
    """The language of a session's page: its ``locale`` where the sandbox speaks it, else the browser's."""
    base = (session_locale or "").split("-")[0]
    return base if base in SPOKEN else negotiate(accept_language)


def words(language: str) -> dict[str, str]:
    index = SPOKEN.index(language)
    return {key: pair[index] for key, pair in WORDS.items()}


def message(text: str | None, language: str) -> str | None:
    """A message the gateway keeps in English, in the page's language."""
    if not text or language == "en":
        return text
    return MESSAGES_RU.get(text, text)
