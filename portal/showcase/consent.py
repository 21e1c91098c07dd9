"""The consent a visitor gives with a lead (152-ФЗ): the exact text shown beside the form, in Russian and English,
versioned the way the portal's own consent is (``accounts.consent.version_of``: a hash of the exact texts), and
recorded on the lead with the time, the address and the browser it came from.

It is a consent of its own because its purpose is its own: to call the visitor back about one listing. A visitor
need not have an account, so it cannot be a row of ``ConsentRecord``, which belongs to a user.
"""

from __future__ import annotations

from portal.accounts.consent import version_of

CONSENT_TYPE = "showcase_lead"

TEXT_RU = """\
Согласие на обработку персональных данных

Я даю согласие управляющей организации {company} (далее — Оператор) на обработку моих персональных данных,
указанных в этой форме: имени, номера телефона и текста сообщения, а также IP-адреса и сведений о браузере.

Цель обработки: связаться со мной по выбранному объявлению об аренде или продаже помещения, договориться
о просмотре и подготовить договор.

Действия с данными: сбор, запись, хранение, уточнение, использование, удаление, уничтожение; с использованием
средств автоматизации и без них. Базы данных находятся на территории Российской Федерации.

Согласие действует до достижения цели обработки, но не дольше одного года, или до его отзыва. Отозвать
согласие можно письменным заявлением Оператору или по телефону клиентского центра; после отзыва данные
уничтожаются в течение 30 дней (ст. 21 ч. 5 Федерального закона № 152-ФЗ «О персональных данных»).
"""

TEXT_EN = """\
Consent to the processing of personal data

I give my consent to the management company {company} (the Operator) to process the personal data I enter in
this form: my name, phone number and message, and the IP address and browser details.

Purpose: to contact me about the chosen listing of a premise for rent or for sale, arrange a viewing and prepare
a contract.

Actions: collection, recording, storage, correction, use, deletion, destruction; with and without automation.
The databases are located in the Russian Federation.

The consent is valid until the purpose is achieved, but no longer than one year, or until it is withdrawn. It may
be withdrawn by a written request to the Operator or by phone to the customer centre; after a withdrawal the data
is destroyed within 30 days (art. 21 part 5 of Federal Law No. 152-FZ "On Personal Data").
"""

TEXTS = {"ru": TEXT_RU, "en": TEXT_EN}


def text(locale: str, company: str = "") -> str:
    """The text in ``locale`` (Russian is the binding one; English is its translation)."""
    return TEXTS.get(locale, TEXT_RU).replace("{company}", company)


def current_version() -> str:
    return version_of(TEXTS)
