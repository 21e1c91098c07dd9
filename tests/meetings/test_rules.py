"""DOMAIN.md §1 as tables: the worked example of §1.9 and its further cases, with exact fractions."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from portal.meetings import rules
from portal.meetings.rules import Choice
from portal.meetings.rules import Decision
from portal.meetings.rules import Form
from portal.meetings.rules import PlanError
from portal.meetings.rules import Subject
from portal.meetings.rules import Threshold

CLOSES = datetime(2026, 3, 20, 20, 59, 59, tzinfo=UTC)
IN_TIME = CLOSES - timedelta(days=1)

# §1.9: кв. 1 A 100 %; кв. 2 B ½ + C ½ (долевая); кв. 3 D + E (совместная); кв. 4 F; пом. 1Н G LLC.
HOLDINGS = [
    rules.Holding(ownership_id=1, owner_id=ord("A"), premise_id=1, area=Decimal("50.0")),
    rules.Holding(ownership_id=2, owner_id=ord("B"), premise_id=2, area=Decimal("70.0"), numerator=1, denominator=2),
    rules.Holding(ownership_id=3, owner_id=ord("C"), premise_id=2, area=Decimal("70.0"), numerator=1, denominator=2),
    rules.Holding(ownership_id=4, owner_id=ord("D"), premise_id=3, area=Decimal("60.0"), joint=True),
    rules.Holding(ownership_id=5, owner_id=ord("E"), premise_id=3, area=Decimal("60.0"), joint=True),
    rules.Holding(ownership_id=6, owner_id=ord("F"), premise_id=4, area=Decimal("45.5")),
    rules.Holding(ownership_id=7, owner_id=ord("G"), premise_id=5, area=Decimal("124.5")),  # non-residential 1Н
]
AREAS = [Decimal("50.0"), Decimal("70.0"), Decimal("60.0"), Decimal("45.5"), Decimal("124.5")]
LINES = {chr(line.owner_id): line for line in rules.register(HOLDINGS)}
TOTAL = rules.total_votes(AREAS)

QUESTIONS = [
    rules.Question(1, Threshold.SIMPLE),  # Q1 elect chair
    rules.Question(2, Threshold.ABS_MAJ),  # Q2 choose the managing company (п. 4.7)
    rules.Question(3, Threshold.TWO_THIRDS),  # Q3 capital repair (п. 1)
    rules.Question(4, Threshold.TWO_THIRDS),  # Q4 capital repair
    rules.Question(5, Threshold.UNANIMOUS),  # Q5 attach common area (ст. 40 ч. 2)
]
F, A, N = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN
ANSWERS = {
    "A": {1: F, 2: F, 3: F, 4: F, 5: F},
    "B": {1: F, 2: A, 3: F, 4: F, 5: F},
    "D": {1: A, 2: F, 3: F, 4: N, 5: F},
    "G": {1: F, 2: A, 3: F, 4: F, 5: F},
}


def ballot(owner: str, answers: dict[int, Choice | None], received: datetime = IN_TIME) -> rules.BallotFacts:
    line = LINES[owner]
    return rules.BallotFacts(line.ownership_id, line.group, line.weight, received, answers)


def example_outcome() -> rules.Outcome:
    return rules.count(TOTAL, QUESTIONS, [ballot(o, a) for o, a in ANSWERS.items()], CLOSES)


@pytest.mark.parametrize(
    ("owner", "votes"),
    [("A", "50"), ("B", "35"), ("C", "35"), ("D", "60"), ("E", "60"), ("F", "91/2"), ("G", "249/2")],
)
def test_votes_of_each_owner_are_exact_fractions(owner, votes):
    assert LINES[owner].weight == Fraction(votes)
    assert isinstance(LINES[owner].weight, Fraction)


def test_the_house_has_350_votes_and_joint_owners_are_registered_once():
    assert Fraction(350) == TOTAL
    assert LINES["D"].group == LINES["E"].group  # D and E vote кв. 3 together
    assert rules.registered_votes(LINES.values()) == 350  # 60 of кв. 3 once, not 120


def test_quorum_of_the_worked_example():
    outcome = example_outcome()
    assert outcome.participating == Fraction(539, 2)  # 269.5
    assert outcome.quorum
    assert rules.percent(outcome.participating, outcome.total) == Decimal("77.00")


@pytest.mark.parametrize(
    ("question", "votes_for", "against", "abstained", "needed", "decision"),
    [
        (1, "209.5", "60", "0", "134.75", Decision.ADOPTED),  # 209.5 > 134.75
        (2, "110", "159.5", "0", "175", Decision.REJECTED),  # 110 ≤ 175
        (3, "269.5", "0", "0", "700/3", Decision.ADOPTED),  # 269.5 ≥ 233.33…
        (4, "209.5", "0", "60", "700/3", Decision.REJECTED),  # 209.5 < 233.33…
        (5, "269.5", "0", "0", "350", Decision.REJECTED),  # 269.5 < 350
    ],
)
def test_each_question_of_the_worked_example(question, votes_for, against, abstained, needed, decision):
    result = example_outcome().questions[question - 1]
    assert (result.votes_for, result.against, result.abstained) == (
        Fraction(votes_for),
        Fraction(against),
        Fraction(abstained),
    )
    assert result.needed == Fraction(needed)
    assert result.decision == decision


@pytest.mark.parametrize(
    ("question", "base", "shown_for"),
    [
        (1, "269.5", "77.74"),  # SIMPLE: 209.5 of the 269.5 votes taking part (59.86 % of the house would mislead)
        (2, "350", "31.43"),  # ABS_MAJ: 110 of all 350
        (3, "350", "77.00"),  # TWO_THIRDS: 269.5 of all 350
        (5, "350", "77.00"),  # UNANIMOUS: of all 350
    ],
)
def test_each_question_is_shown_in_shares_of_the_votes_its_rule_counts(question, base, shown_for):
    result = example_outcome().questions[question - 1]
    assert result.base == Fraction(base)
    assert rules.percent(result.votes_for, result.base) == Decimal(shown_for)


def _owners_with(participating: str, total: str = "350") -> tuple[Fraction, list[rules.BallotFacts]]:
    weight = Fraction(participating)
    return Fraction(total), [rules.BallotFacts(1, "o1", weight, IN_TIME, {1: Choice.FOR})]


@pytest.mark.parametrize(
    ("participating", "quorum"),
    [("175.0", False), ("175.01", True), ("174.99", False), ("350", True)],
)
def test_quorum_is_strictly_more_than_half_of_all_votes(participating, quorum):
    total, ballots = _owners_with(participating)
    assert rules.count(total, [rules.Question(1, Threshold.SIMPLE)], ballots, CLOSES).quorum is quorum


def _decide(threshold: Threshold, total: str, votes: dict[Choice, str]) -> Decision:
    ballots = [
        rules.BallotFacts(i, f"o{i}", Fraction(weight), IN_TIME, {1: choice})
        for i, (choice, weight) in enumerate(votes.items(), start=1)
    ]
    return rules.count(Fraction(total), [rules.Question(1, threshold)], ballots, CLOSES).questions[0].decision


@pytest.mark.parametrize(
    ("threshold", "total", "votes", "decision"),
    [
        # SIMPLE: 134.75 for and 134.75 against is not more than half of those taking part
        (Threshold.SIMPLE, "350", {F: "134.75", A: "134.75"}, Decision.REJECTED),
        (Threshold.SIMPLE, "350", {F: "134.76", A: "134.74"}, Decision.ADOPTED),
        # an abstention takes part, so it raises the SIMPLE bar
        (Threshold.SIMPLE, "350", {F: "110", A: "50", N: "60"}, Decision.REJECTED),  # 110 of 220 is not more
        (Threshold.SIMPLE, "350", {F: "111", A: "50", N: "59"}, Decision.ADOPTED),
        (Threshold.SIMPLE, "350", {F: "111", A: "0", N: "110"}, Decision.ADOPTED),
        # ABS_MAJ: more than half of all votes
        (Threshold.ABS_MAJ, "350", {F: "175", A: "10"}, Decision.REJECTED),
        (Threshold.ABS_MAJ, "350", {F: "175.01", A: "10"}, Decision.ADOPTED),
        # TWO_THIRDS with total 300: 200.00 adopted, 199.99 rejected
        (Threshold.TWO_THIRDS, "300", {F: "200.00"}, Decision.ADOPTED),
        (Threshold.TWO_THIRDS, "300", {F: "199.99"}, Decision.REJECTED),
        # UNANIMOUS: all votes of the house
        (Threshold.UNANIMOUS, "350", {F: "350"}, Decision.ADOPTED),
        (Threshold.UNANIMOUS, "350", {F: "349.99"}, Decision.REJECTED),
        # no quorum, nothing is decided
        (Threshold.SIMPLE, "350", {F: "175"}, Decision.NO_QUORUM),
    ],
)
def test_thresholds(threshold, total, votes, decision):
    assert _decide(threshold, total, votes) == decision


def test_a_question_with_two_marks_is_not_counted_but_the_ballot_takes_part():
    """«за» and «против» both ticked on Q1 (None), a valid answer on Q2: Q1 not counted, Q2 counted."""
    ballots = [
        ballot("A", {1: None, 2: Choice.FOR}),
        ballot("G", {1: Choice.FOR, 2: Choice.FOR}),
        ballot("B", {1: Choice.FOR, 2: Choice.FOR}),
    ]
    outcome = rules.count(TOTAL, QUESTIONS[:2], ballots, CLOSES)
    q1, q2 = outcome.questions
    assert outcome.participating == Fraction("209.5")
    assert q1.votes_for == Fraction("159.5") and q1.invalid == 50
    assert q1.participating == Fraction("209.5")  # A still takes part in Q1 (the design choice of §1.6)
    assert q2.votes_for == Fraction("209.5")


def test_a_ballot_received_one_minute_after_closing_counts_nowhere():
    late = ballot("G", {q.id: Choice.FOR for q in QUESTIONS}, received=CLOSES + timedelta(minutes=1))
    outcome = rules.count(TOTAL, QUESTIONS, [ballot("A", ANSWERS["A"]), late], CLOSES)
    assert outcome.participating == 50
    assert all(q.votes_for == 50 for q in outcome.questions)
    on_the_second = ballot("G", {q.id: Choice.FOR for q in QUESTIONS}, received=CLOSES)
    assert rules.count(TOTAL, QUESTIONS, [on_the_second], CLOSES).participating == Fraction("124.5")


def test_joint_owners_who_disagree_split_the_premise_equally():
    """D «за», E «против» on Q1 → 30 for, 30 against; кв. 3 takes part with 60, not 120."""
    outcome = rules.count(TOTAL, QUESTIONS[:1], [ballot("D", {1: F}), ballot("E", {1: A})], CLOSES)
    assert outcome.participating == 60
    assert (outcome.questions[0].votes_for, outcome.questions[0].against) == (30, 30)


def test_joint_owners_who_agree_vote_the_whole_premise_once():
    outcome = rules.count(TOTAL, QUESTIONS[:1], [ballot("D", {1: F}), ballot("E", {1: F})], CLOSES)
    assert outcome.participating == 60 and outcome.questions[0].votes_for == 60


def test_shared_owners_vote_only_their_share():
    outcome = rules.count(TOTAL, QUESTIONS[:1], [ballot("B", {1: F})], CLOSES)
    assert outcome.participating == 35


def test_one_ballot_per_ownership_counts_the_first_received_and_skips_rejected_ones():
    first = ballot("A", {1: F}, received=IN_TIME - timedelta(hours=2))
    paper_copy = ballot("A", {1: A}, received=IN_TIME)
    rejected = rules.BallotFacts(7, LINES["G"].group, LINES["G"].weight, IN_TIME, {1: F}, accepted=False)
    outcome = rules.count(TOTAL, QUESTIONS[:1], [paper_copy, first, rejected], CLOSES)
    assert outcome.participating == 50
    assert outcome.questions[0].votes_for == 50 and outcome.questions[0].against == 0
    assert outcome.counted == frozenset({1})


@pytest.mark.parametrize(
    ("part", "total", "shown"),
    [
        ("269.5", "350", "77.00"),
        ("49.995", "100", "50.00"),  # shown rounded …
        ("1", "3", "33.33"),
        ("2", "3", "66.67"),
        ("0.005", "100", "0.01"),
        ("0.0049", "100", "0.00"),
    ],
)
def test_percentages_are_rounded_half_up_for_display_only(part, total, shown):
    assert rules.percent(Fraction(part), Fraction(total)) == Decimal(shown)


def test_a_rounded_percentage_never_decides():
    """49.995 % is shown as 50.00 % and is still not more than half."""
    assert rules.percent(Fraction("49.995"), Fraction(100)) == Decimal("50.00")
    assert not rules.has_quorum(Fraction("49.995"), Fraction(100))
    assert _decide(Threshold.ABS_MAJ, "100", {F: "50"}) == Decision.NO_QUORUM


@pytest.mark.parametrize(
    ("form", "notice", "start", "end", "admin", "errors"),
    [
        (Form.ABSENTEE, date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 20), None, [PlanError.NOTICE_TOO_LATE]),
        (Form.ABSENTEE, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 20), None, []),
        (Form.IN_PERSON, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 11), None, []),
        (Form.MIXED, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 10), None, [PlanError.ENDS_BEFORE_START]),
        # ст. 47.1: 7 to 60 days of voting, both ends counted; the administrator told 14 days before
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 16), date(2026, 2, 25),
         [PlanError.E_VOTE_TOO_SHORT]),
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 17), date(2026, 2, 25), []),
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 5, 9), date(2026, 2, 25), []),
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 5, 10), date(2026, 2, 25),
         [PlanError.E_VOTE_TOO_LONG]),
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 20), date(2026, 2, 26),
         [PlanError.ADMINISTRATOR_TOO_LATE]),
        (Form.ELECTRONIC, date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 20), None,
         [PlanError.ADMINISTRATOR_TOO_LATE]),
    ],
)  # fmt: skip
def test_notice_and_voting_periods(form, notice, start, end, admin, errors):
    plan = rules.Plan(form, notice, start, end, administrator_notified_on=admin)
    assert rules.check_plan(plan) == errors


def test_e_vote_of_6_and_61_days_is_refused():
    start = date(2026, 4, 1)
    for days, error in ((6, PlanError.E_VOTE_TOO_SHORT), (61, PlanError.E_VOTE_TOO_LONG)):
        end = start + timedelta(days=days - 1)
        assert rules.voting_days(start, end) == days
        assert error in rules.check_plan(rules.Plan(Form.ELECTRONIC, date(2026, 3, 1), start, end, date(2026, 3, 1)))


@pytest.mark.parametrize(
    ("subject", "day", "threshold"),
    [
        (Subject.MANAGING_COMPANY, date(2022, 8, 31), Threshold.SIMPLE),  # before 165-ФЗ
        (Subject.MANAGING_COMPANY, date(2022, 9, 1), Threshold.ABS_MAJ),
        (Subject.CAPITAL_REPAIR, date(2026, 3, 1), Threshold.TWO_THIRDS),
        (Subject.FUND_FORMATION, date(2026, 3, 1), Threshold.ABS_MAJ),
        (Subject.MANAGEMENT_METHOD, date(2026, 3, 1), Threshold.ABS_MAJ),
        (Subject.COUNCIL_REPAIRS, date(2026, 3, 1), Threshold.ABS_MAJ),
        (Subject.THIRD_PARTY_USE, date(2026, 3, 1), Threshold.TWO_THIRDS),
        (Subject.COMMON_PROPERTY_REDUCTION, date(2026, 3, 1), Threshold.UNANIMOUS),
        (Subject.OTHER, date(2026, 3, 1), Threshold.SIMPLE),
        (Subject.ITEM_1_3, date(2024, 9, 1), Threshold.TWO_THIRDS),
        (Subject.ITEM_1_3, date(2024, 8, 31), None),  # the text before 2024 had no п. 1.3
        (Subject.ITEM_3_8, date(2023, 1, 1), None),
    ],
)
def test_thresholds_by_subject_follow_the_text_in_force(subject, day, threshold):
    assert rules.threshold_for(subject, day) == threshold


@pytest.mark.parametrize(
    ("support", "total", "reached"),
    [("35", "350", True), ("34.99", "350", False), ("0", "0", False)],
)
def test_an_owners_demand_needs_ten_per_cent_of_all_votes(support, total, reached):
    assert rules.demand_reached(Fraction(support), Fraction(total)) is reached


def test_deadlines_after_the_meeting():
    after = rules.after_deadlines(date(2026, 8, 31))
    assert after.protocol_by == date(2026, 9, 10)
    assert after.results_notice_by == date(2026, 9, 10)
    assert after.originals_to_company_by == date(2026, 9, 10)
    assert after.challenge_until == date(2027, 2, 28)
    assert rules.inspectorate_deadline(date(2026, 9, 8)) == date(2026, 9, 13)
    assert rules.demand_deadline(date(2026, 3, 1)) == date(2026, 4, 15)


@pytest.mark.parametrize(
    ("day", "order", "gis"),
    [(date(2025, 8, 31), rules.Order.MINSTROY_44, False), (date(2025, 9, 1), rules.Order.MINSTROY_266, True)],
)
def test_protocol_contents_follow_the_order_in_force(day, order, gis):
    assert rules.order_on(day) == order
    fields = rules.protocol_fields(day)
    assert (rules.ProtocolField.GIS_NUMBER in fields) is gis
    assert rules.ProtocolField.QUORUM in fields and rules.ProtocolField.ANNEX_REGISTER in fields


C, S, V = rules.Signer.CHAIR, rules.Signer.SECRETARY, rules.Signer.COUNTER


@pytest.mark.parametrize(
    ("chair", "secretary", "counters", "signers"),
    [
        # the demo's meeting: two counters, the secretary among them, each signs on a line of their own
        ("Смирнов И. П.", "Егорова Н. В.", "Фомин Д. А., Егорова Н. В.",
         [(C, "Смирнов И. П."), (S, "Егорова Н. В."), (V, "Фомин Д. А."), (V, "Егорова Н. В.")]),
        ("Смирнов И. П.", "Егорова Н. В.", " Фомин Д. А.; Орлов К. С. ,",
         [(C, "Смирнов И. П."), (S, "Егорова Н. В."), (V, "Фомин Д. А."), (V, "Орлов К. С.")]),
        # nobody named to count: the initiator counted (DOMAIN.md §1.7); names not given are written in by hand
        ("", " ", "", [(C, ""), (S, ""), (V, "ООО «УК»")]),
    ],
)  # fmt: skip
def test_the_protocol_is_signed_by_the_chair_the_secretary_and_each_vote_counter(chair, secretary, counters, signers):
    assert rules.protocol_signers(chair, secretary, counters, "ООО «УК»") == signers


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        (datetime(2026, 3, 10, 20, 59, tzinfo=UTC), rules.Stage.ANNOUNCED),
        (datetime(2026, 3, 10, 21, 0, tzinfo=UTC), rules.Stage.VOTING),
        (CLOSES, rules.Stage.VOTING),
        (CLOSES + timedelta(seconds=1), rules.Stage.COUNTING),
    ],
)
def test_stage_follows_the_dates(now, stage):
    assert (
        rules.stage(
            published=True,
            cancelled=False,
            closed=False,
            voting_starts=datetime(2026, 3, 10, 21, 0, tzinfo=UTC),
            voting_ends=CLOSES,
            now=now,
        )
        == stage
    )


@pytest.mark.parametrize(
    ("held", "refused"),
    [("2026-12-09T18:00", True), ("2026-12-10T18:00", False), ("2026-12-20T18:00", False), ("2026-12-21T10:00", True)],
)
def test_an_in_person_meeting_is_held_within_the_meetings_days(held: str, refused: bool) -> None:
    """A mixed meeting's in-person part dated before its first day came sooner than the notice's 10 days (counted to
    the first day, ЖК ст. 45 ч. 4), and one after the last day after the count: both were taken as typed."""
    from zoneinfo import ZoneInfo

    from portal.core.i18n import set_locale
    from portal.meetings import forms

    set_locale("ru")
    typed = {"house": "1", "title": "Собрание", "form": "mixed", "initiator": "УК", "in_person_at": held,
             "starts_on": "2026-12-10", "voting_ends": "2026-12-20", "register_on": "2026-12-10"}  # fmt: skip
    form = forms.read_meeting(typed, [1], ZoneInfo("Europe/Simferopol"))
    said = form.errors.get("in_person_at")
    if refused:
        assert said == "Очное собрание проводится в дни собрания: с 10 декабря 2026 по 20 декабря 2026.", said
    else:
        assert not form.errors, form.errors


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("Ольга Сергеевна Кравец", "Кравец Ольга Сергеевна"),
        ("Иван Петрович Смирнов", "Смирнов Иван Петрович"),
        ("Вера Ильинична Пашкевич", "Пашкевич Вера Ильинична"),
        ("Кравец Ольга Сергеевна", "Кравец Ольга Сергеевна"),  # already surname first
        ("Пашкевич Илья Ильич", "Пашкевич Илья Ильич"),
        ("Ольга Кравец", "Ольга Кравец"),  # no patronymic: which word is the surname is not known
        ('ООО "Ромашка"', 'ООО "Ромашка"'),
        ("Али Гусейн оглы Мамедов", "Мамедов Али Гусейн оглы"),  # a Turkic patronymic, two words
        ("Айше Решат кызы Алиева", "Алиева Айше Решат кызы"),
        ("Эльдар Рустем-оглу Сейтаблаев", "Сейтаблаев Эльдар Рустем-оглу"),  # hyphenated
        ("Мамедов Али Гусейн оглы", "Мамедов Али Гусейн оглы"),  # already surname first
        ("Анна Мария Луиза Шмидт", "Анна Мария Луиза Шмидт"),  # four words, no patronymic
    ],
)
def test_a_name_in_the_meeting_documents_is_written_surname_first(typed, written):
    assert rules.document_name(typed) == written


@pytest.mark.parametrize(
    "typed",
    [
        "112-233-445 95",  # the weighted sum below 100 is the check number itself
        "11223344595",
        " 087-654-303 00 ",  # 202: modulo 101 gives 0
        "006-133-720 00",  # a sum of 100 gives 00
        "001-437-544 00",  # a sum of 101 gives 00
        "115-499-892 00",  # 201: modulo 101 gives 100, which is 00 again
        "999-999-999 01",  # 405 modulo 101
        "001-001-998 47",  # the earliest numbers have no check number
    ],
)
def test_a_valid_snils_as_written_on_a_ballot(typed: str) -> None:
    assert rules.snils_valid(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "112-233-445 96",  # the check number wrong by one
        "112-233-445 59",  # its digits swapped
        "115-499-892 100",
        "087-654-303 01",
        "000-000-000 00",  # never issued
        "112-233-445",  # no check number
        "1122334459",
        "112-233-445 955",
        "112.233.445 95",  # only spaces and dashes part the digits
        "112-233-4a5 95",
        "١١٢٢٣٣٤٤٥٩٥",  # digits of another script
        "",
    ],
)
def test_an_invalid_snils_is_refused(typed: str) -> None:
    assert not rules.snils_valid(typed)


@pytest.mark.parametrize(
    ("first_day", "person", "required"),
    [
        (date(2025, 8, 31), True, False),  # 44/пр: no decision carries a СНИЛС
        (date(2025, 9, 1), True, True),  # 266/пр from its first day: a natural person's decision carries it
        (date(2025, 9, 1), False, False),  # an organisation is named by its name and ОГРН (ЖК ст. 48 ч. 5.1)
    ],
)
def test_a_snils_is_required_of_a_natural_persons_decision_under_266(first_day, person, required) -> None:
    """DOMAIN.md §1.6: since 01.09.2025 (Приказ № 266/пр) the owner's decision carries their СНИЛС."""
    assert rules.snils_required(first_day, person) is required


# ЖК ст. 48: one decision per ownership, the first received counts, whatever its channel. A code was sent for the
# drafts 11 (register line 1) and 12 (line 2); what the company holds of their paper ballots decides which it confirms.
EARLY, LATE = IN_TIME - timedelta(days=2), IN_TIME
ACCEPTED_1 = rules.Received(1, counted=True, at=LATE)
WAITING_1 = rules.Received(1, counted=False, at=EARLY)
WAITING_1_AGAIN = rules.Received(1, counted=False, at=LATE)


@pytest.mark.parametrize(
    ("received", "confirmed", "kept_out"),
    [
        ([], [11, 12], {}),  # no paper: both count
        ([ACCEPTED_1], [12], {1: ACCEPTED_1}),  # line 1's paper counted first: only line 2's draft counts
        ([WAITING_1], [12], {1: WAITING_1}),  # received and being checked: received first, it keeps the draft out
        ([WAITING_1_AGAIN, WAITING_1], [12], {1: WAITING_1}),  # of two waiting, the owner reads of the first
        ([WAITING_1, ACCEPTED_1], [12], {1: ACCEPTED_1}),  # a counted one is what the owner reads of, not a repeat
        (
            [ACCEPTED_1, rules.Received(2, counted=True, at=EARLY)],
            [],
            {1: ACCEPTED_1, 2: rules.Received(2, True, EARLY)},
        ),
    ],
)
def test_a_code_confirms_only_the_drafts_of_ownerships_whose_paper_decision_was_not_received_first(
    received, confirmed, kept_out
) -> None:
    assert rules.confirmable({11: 1, 12: 2}, received) == (confirmed, kept_out)
