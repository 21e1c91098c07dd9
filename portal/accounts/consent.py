"""The personal-data consent (152-ФЗ): its exact text in Russian and English, and its version.

The version is a hash of the exact texts shown; any change to a word makes a new version, and every user must
accept the new text before using the portal again (the principal loader sets ``consent_required``). Each text
ever published stays here as an edition (its number, date and texts), so that a person reads what they accepted:
a changed text is a new edition added after the last, never an old one edited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

CONSENT_TYPE = "processing"

TEXT_RU = """\
Согласие на обработку персональных данных

Я, пользователь личного кабинета жителя, действуя свободно, своей волей и в своём интересе, даю согласие
управляющей организации {company} (далее — Оператор) на обработку моих персональных данных на следующих условиях.

1. Цель обработки: предоставление доступа к личному кабинету жителя, приём показаний приборов учёта, заявок
в диспетчерскую службу и платежей, направление уведомлений по лицевым счетам, к которым у меня есть доступ.

2. Перечень данных: фамилия, имя, отчество; адрес электронной почты; номер телефона; номера лицевых счетов
и адреса помещений; сведения о начислениях, платежах, показаниях и заявках; IP-адрес и сведения о браузере
при входе в личный кабинет.

3. Действия с данными: сбор, запись, систематизация, накопление, хранение, уточнение (обновление, изменение),
извлечение, использование, передача (предоставление, доступ) лицам, обрабатывающим данные по поручению
Оператора, обезличивание, блокирование, удаление, уничтожение; с использованием средств автоматизации
и без них. Базы данных находятся на территории Российской Федерации.

4. Срок действия: согласие действует до достижения целей обработки или до его отзыва.

5. Отзыв согласия: я могу отозвать согласие в любой момент в личном кабинете (раздел «Согласие на обработку
данных») или письменным заявлением Оператору. После отзыва Оператор прекращает обработку и уничтожает
данные в течение 30 дней, если иное основание обработки не предусмотрено законом (ст. 21 ч. 5 Федерального
закона № 152-ФЗ «О персональных данных»). Обработка, необходимая для исполнения договора управления
многоквартирным домом, продолжается без согласия (ст. 6 ч. 1 п. 5 того же закона).

6. Я имею право получить сведения об обработке моих данных; ответ направляется в течение 10 рабочих дней.
"""

TEXT_EN = """\
Consent to the processing of personal data

I, a user of the residents' portal, freely, of my own will and in my own interest, give my consent to the
management company {company} (the Operator) to process my personal data on the following terms.

1. Purpose: access to the residents' portal, accepting meter readings, requests to the dispatch service and
payments, and notifications about the personal accounts I have access to.

2. Data: surname, first name, patronymic; e-mail address; phone number; personal account numbers and
addresses of premises; charges, payments, readings and requests; the IP address and browser details at
sign-in.

3. Actions: collection, recording, systematisation, accumulation, storage, correction (updating, changing),
retrieval, use, transfer (provision, access) to persons processing the data on the Operator's instruction,
depersonalisation, blocking, deletion, destruction; with and without automation. The databases are located
in the Russian Federation.

4. Term: the consent is valid until the purposes are achieved or until it is withdrawn.

5. Withdrawal: I may withdraw the consent at any time in the portal ("Personal data consent") or by a written
request to the Operator. After a withdrawal the Operator stops processing and destroys the data within 30 days
unless the law provides another ground (art. 21 part 5 of Federal Law No. 152-FZ "On Personal Data").
Processing needed to perform the management contract of the building continues without consent (art. 6
part 1 item 5 of the same law).

6. I have the right to learn how my data is processed; the answer is given within 10 working days.
"""

TEXTS = {"ru": TEXT_RU, "en": TEXT_EN}


def text(locale: str, company: str = "") -> str:
    """The consent text in ``locale`` (Russian is the legally binding one; English is its translation)."""
    return TEXTS.get(locale, TEXT_RU).replace("{company}", company)


def version_of(texts: dict[str, str]) -> str:
    """The version: a hash of the exact texts in every language."""
    digest = hashlib.sha256()
    for locale in sorted(texts):
        digest.update(locale.encode() + b"\0" + texts[locale].encode() + b"\0")
    return digest.hexdigest()[:16]


def current_version() -> str:
    return version_of(TEXTS)


# --- the separate consents: dissemination (ст. 10.1) and marketing --------------------------------------------

DISSEMINATION_RU = """\
Согласие на обработку персональных данных, разрешённых для распространения

Я даю согласие управляющей организации {company} на распространение (предоставление неограниченному кругу лиц)
моих фамилии, имени, отчества и номера помещения в реестре собственников и в материалах общих собраний
собственников, размещаемых в личном кабинете жителя и на досках объявлений дома. Иные данные не распространяются.

Согласие действует до его отзыва. Отозвать его можно в личном кабинете (раздел «Персональные данные»);
распространение прекращается в течение 3 рабочих дней (ст. 10.1 Федерального закона № 152-ФЗ).
"""

DISSEMINATION_EN = """\
Consent to the processing of personal data permitted for dissemination

I consent to the management company {company} making my surname, first name, patronymic and premise number
available to an unlimited circle of persons in the register of owners and in the materials of owners' general
meetings published in the residents' portal and on the notice boards of the building. No other data is disseminated.

The consent is valid until withdrawn. It can be withdrawn in the portal ("Personal data"); dissemination stops
within 3 working days (art. 10.1 of Federal Law No. 152-FZ).
"""

MARKETING_RU = """\
Согласие на получение предложений услуг

Я даю согласие управляющей организации {company} использовать мои имя, адрес электронной почты и номер
телефона, чтобы присылать мне предложения платных услуг, акции и опросы о качестве обслуживания.

Согласие действует до его отзыва. Отозвать его можно в личном кабинете (раздел «Персональные данные»);
предложения перестают приходить сразу.
"""

MARKETING_EN = """\
Consent to receive offers of services

I consent to the management company {company} using my name, e-mail address and phone number to send me
offers of paid services, promotions and surveys of the quality of service.

The consent is valid until withdrawn. It can be withdrawn in the portal ("Personal data"); offers stop at once.
"""

OPTIONAL_TEXTS = {
    "dissemination": {"ru": DISSEMINATION_RU, "en": DISSEMINATION_EN},
    "marketing": {"ru": MARKETING_RU, "en": MARKETING_EN},
}


def optional_text(consent_type: str, locale: str, company: str = "") -> str:
    """The text of a separate consent (``dissemination`` or ``marketing``) in ``locale``."""
    texts = OPTIONAL_TEXTS[consent_type]
    return texts.get(locale, texts["ru"]).replace("{company}", company)


def optional_version(consent_type: str) -> str:
    """The version of a separate consent: a hash of its exact texts."""
    return version_of(OPTIONAL_TEXTS[consent_type])


# --- the editions: every text ever published, by its number and date -------------------------------------------


@dataclass(frozen=True)
class Edition:
    """One published edition of a consent's text: its number, the day it was published, its exact texts."""

    consent_type: str
    number: int
    published_on: date
    texts: Mapping[str, str]

    @property
    def version(self) -> str:
        return version_of(dict(self.texts))

    def text(self, locale: str, company: str = "") -> str:
        return self.texts.get(locale, self.texts["ru"]).replace("{company}", company)

    def title(self, locale: str) -> str:
        """The document's title: the first line of its text."""
        return self.text(locale).split("\n", 1)[0]


EDITIONS: dict[str, tuple[Edition, ...]] = {
    CONSENT_TYPE: (Edition(CONSENT_TYPE, 1, date(2026, 11, 25), TEXTS),),
    "dissemination": (Edition("dissemination", 1, date(2026, 12, 2), OPTIONAL_TEXTS["dissemination"]),),
    "marketing": (Edition("marketing", 1, date(2026, 12, 2), OPTIONAL_TEXTS["marketing"]),),
}


def edition(consent_type: str, version: str) -> Edition | None:
    """The edition a record's version names, or None for a text not kept here."""
    return next((e for e in EDITIONS.get(consent_type, ()) if e.version == version), None)


def current_edition() -> Edition | None:
    """The edition of the text in force: the one a person reads on signing up and then accepts."""
    return edition(CONSENT_TYPE, current_version())


def edition_numbered(consent_type: str, number: int) -> Edition | None:
    return next((e for e in EDITIONS.get(consent_type, ()) if e.number == number), None)


def next_edition(found: Edition) -> Edition | None:
    """The edition that replaced ``found``, or None while it is the one in force."""
    return next((e for e in EDITIONS.get(found.consent_type, ()) if e.number > found.number), None)
