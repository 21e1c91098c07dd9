"""The protocol's annexes are tables a housing inspector reads line by line: a word is never cut inside a cell,
and a name that wraps is not stretched across its cell."""

from __future__ import annotations

import io

from pypdf import PdfReader

from portal.housing.tables import Owner
from portal.housing.tables import Ownership
from portal.meetings import queries
from portal.meetings.routes import protocol_bytes
from tests.meetings.test_actions import _admin


async def test_the_registers_words_are_whole_in_their_cells(example_house, make_meeting, make_account):
    house = await example_house()
    place = await make_account(house=house.house, kind="parking", premise_number="М-12", area="14.20")
    owner = Owner(kind="person", name="Константинопольская Александра Вячеславовна")
    await owner.save()
    await Ownership(premise=place.premise, owner=owner.id, share_numerator=1, share_denominator=1).save()
    meeting_id = await make_meeting(house.house, closed=True)
    meeting = await queries.meeting_for_staff(await _admin(), meeting_id)

    pages = PdfReader(io.BytesIO(await protocol_bytes(meeting))).pages
    annexes = "\n".join(page.extract_text() for page in pages[1:])
    # the column heads, the joint ownership of кв. 3 and a parking space's name, each in one piece
    for word in ("Помещение", "Площадь,", "(совместная)", "машино-место", "Получено"):
        assert word in annexes.split(), word
    # a name too long for one line wraps between its words, not spread out to both edges of its cell
    assert "  " not in annexes.replace("\n", " "), annexes
