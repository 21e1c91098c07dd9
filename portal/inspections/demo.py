"""The demo company's checklist of a round: about twenty points of the common property, by place, each with the
category of the request a remark on it files."""

from __future__ import annotations

from typing import Any

from portal.inspections.rules import Place
from portal.inspections.tables import ChecklistPoint

CHECKLIST: tuple[tuple[Place, str, str], ...] = (
    (Place.ENTRANCE, "Освещение работает на всех этажах", "common_lighting"),
    (Place.ENTRANCE, "Входная дверь и доводчик исправны", "entrance_doors"),
    (Place.ENTRANCE, "Домофон работает", "entrance_doors"),
    (Place.ENTRANCE, "Окна целы, стёкла на месте", "broken_windows"),
    (Place.ENTRANCE, "Лестницы и площадки убраны", "other"),
    (Place.ENTRANCE, "Почтовые ящики целы", "other"),
    (Place.ENTRANCE, "Мусоропровод чист, клапаны закрываются", "garbage_chute"),
    (Place.ENTRANCE, "Электрощиты закрыты", "electrical_fuses"),
    (Place.LIFT, "Кабина чистая, освещение работает", "lift_fault"),
    (Place.LIFT, "Двери закрываются, кнопки целы", "lift_fault"),
    (Place.LIFT, "Связь с диспетчером работает", "lift_fault"),
    (Place.ROOF, "Кровля без протечек", "roof_leak"),
    (Place.ROOF, "Водостоки и воронки чисты", "downpipes"),
    (Place.ROOF, "Выход на кровлю и чердак заперт", "entrance_doors"),
    (Place.BASEMENT, "Подвал сухой, течей нет", "leaking_taps"),
    (Place.BASEMENT, "Трубы и изоляция в порядке", "leaking_taps"),
    (Place.BASEMENT, "Двери подвала заперты, продухи открыты", "entrance_doors"),
    (Place.YARD, "Территория убрана, урны не переполнены", "other"),
    (Place.YARD, "Освещение у подъездов работает", "common_lighting"),
    (Place.YARD, "Детская площадка исправна", "other"),
    (Place.YARD, "Контейнерная площадка убрана", "other"),
)


async def seed(ctx: Any) -> None:
    await ChecklistPoint.insert(
        *[
            ChecklistPoint(place=place, title=title, category=category, position=n)
            for n, (place, title, category) in enumerate(CHECKLIST, 1)
        ]
    )
