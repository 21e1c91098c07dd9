"""Demo documents: the management contract and the yearly report of the first house, the company's newcomer's
memo and its house rules, each a real A4 PDF drawn by the portal's own printer (``core.pdf.A4``). Deterministic."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from portal.accounts.principal import load_principal_for
from portal.core import storage
from portal.core.pdf import A4
from portal.core.security import StaffRole
from portal.demo import DemoContext
from portal.documents import actions
from portal.documents import forms
from portal.documents.tables import DocumentKind
from portal.settings import get_settings

# (kind, title, days before the demo's day, for the first house only, paragraphs); the report's year and date are
# the last one due by the demo's day (``_dated``).
DOCUMENTS: tuple[tuple[DocumentKind, str, int, bool, tuple[str, ...]], ...] = (
    (
        DocumentKind.CONTRACT,
        "Договор управления многоквартирным домом",
        700,
        True,
        (
            "1. Управляющая организация по заданию собственников помещений за плату оказывает услуги и выполняет "
            "работы по надлежащему содержанию и ремонту общего имущества в многоквартирном доме.",
            "2. Состав общего имущества и перечень работ приведены в приложениях 1 и 2 к договору.",
            "3. Размер платы за содержание жилого помещения устанавливается общим собранием собственников.",
            "4. Управляющая организация ежегодно в течение первого квартала представляет собственникам отчёт о "
            "выполнении договора за предыдущий год (ч. 11 ст. 162 ЖК РФ).",
        ),
    ),
    (
        DocumentKind.REPORT,
        "Отчёт управляющей компании за {year} год",
        0,
        True,
        (
            "Начислено за содержание и ремонт общего имущества: 4 812 340,00 руб.; оплачено собственниками: "
            "4 603 118,45 руб. (95,7 %).",
            "Выполнено: ремонт кровли над подъездом 2, замена светильников на лестничных клетках, поверка "
            "общедомовых приборов учёта, промывка системы отопления.",
            "Принято заявок жителей: 412, выполнено в срок: 398.",
        ),
    ),
    (
        DocumentKind.NEWCOMER,
        "Памятка новосела",
        90,
        False,
        (
            "Ремонтные работы с шумом разрешены в будни с 9:00 до 19:00, в субботу с 10:00 до 17:00.",
            "Строительный мусор выносится в мешках к контейнеру у въезда, не в мусоропровод.",
            "Перепланировку согласуйте заранее: заявку подайте в портале, раздел «Заявки».",
            "Показания счётчиков передавайте с 15 по 25 число каждого месяца.",
        ),
    ),
    (
        DocumentKind.HOUSE_RULES,
        "Правила проживания",
        180,
        False,
        (
            "С 23:00 до 7:00 соблюдайте тишину.",
            "Не оставляйте вещи, велосипеды и коляски на путях эвакуации.",
            "Выгул собак — за пределами детских площадок.",
        ),
    ),
)


def _pdf(title: str, day: date, paragraphs: tuple[str, ...]) -> bytes:
    page = A4(margin=20)
    page.add_page()
    page.set_font("Main", "", 10)
    page.multi_cell(page.width, 5, get_settings().company_name)
    page.ln(6)
    page.set_font("Main", "B", 15)
    page.multi_cell(page.width, 8, title)
    page.set_font("Main", "", 10)
    page.multi_cell(page.width, 6, day.strftime("%d.%m.%Y"))
    page.ln(4)
    page.set_font("Main", "", 11)
    for text in paragraphs:
        page.multi_cell(page.width, 6, text)
        page.ln(2)
    return bytes(page.output())


def _dated(title: str, days_before: int, today: date) -> tuple[str, date]:
    """The title and date of a demo document: the yearly report of the last year whose report was due (in the
    first quarter, put up on 20 March), the others so many days before ``today``."""
    if "{year}" not in title:
        return title, today - timedelta(days=days_before)
    year = today.year if today >= date(today.year, 3, 20) else today.year - 1
    return title.format(year=year - 1), date(year, 3, 20)


async def seed(ctx: DemoContext) -> None:
    admin = await load_principal_for(ctx.shared["users"][StaffRole.ADMIN])
    first_house = ctx.shared["houses"][0]
    for kind, named, days_before, of_house, paragraphs in DOCUMENTS:
        title, day = _dated(named, days_before, ctx.today)
        stored = await storage.save_pdf(_pdf(title, day, paragraphs))
        form = forms.DocumentForm(
            title=title, kind=kind, issued_on=day, company_wide=not of_house, houses=[first_house] if of_house else []
        )
        await actions.put_up(admin, form, stored, f"{title}.pdf")
