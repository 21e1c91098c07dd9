"""The bare page of the HTTP benchmark: Litestar + Jinja, shaped like the resident home (the layout, three account
cards, ten rows), no database, no session, no middleware. ``uvicorn bench.bare_app:app``; the portal's pages are
compared with its throughput on the same machine in the same run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from litestar import Litestar
from litestar import get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

NAV = [("/", "Главная"), ("/accounts/1", "Счета"), ("/meters", "Счётчики"), ("/tickets", "Заявки"), ("/more", "Ещё")]
CARDS = [
    {
        "id": n,
        "address": f"г. Симферополь, ул. Киевская, д. {n}, кв. {10 + n}",
        "number": f"10000{n:05d}",
        "debt": Decimal("1234.56") * n,
    }
    for n in (1, 2, 3)
]
ROWS = [
    {"period": f"2026-{m:02d}", "service": s, "amount": Decimal("456.78") + m}
    for m, s in zip(range(1, 11), ["Содержание", "ХВС", "ГВС", "Водоотведение", "Электроэнергия"] * 2, strict=True)
]


@get("/", sync_to_thread=False)
def home() -> Template:
    return Template(
        template_name="home.html",
        context={"company": "УК «Монолит Комфорт»", "token": "x" * 32, "nav": NAV, "cards": CARDS, "rows": ROWS},
    )


@get("/healthz", sync_to_thread=False)
def health() -> str:
    return "ok"


app = Litestar(
    route_handlers=[home, health],
    template_config=TemplateConfig(directory=Path(__file__).parent / "bare_templates", engine=JinjaTemplateEngine),
    openapi_config=None,
)
