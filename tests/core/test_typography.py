"""The company's prose never ends a line with a short word: «в», «на», «ул.» stay with the word after them and «—» with
the word before it (no-break spaces), in a post's text nodes only — a link's address, a tag's attributes and code are
left as typed, and «в» last in a paragraph stays where it is."""

from __future__ import annotations

import re

import pytest

from portal.content.rules import render_markdown
from portal.core.typography import bound
from portal.core.typography import bound_html

N = "\u00a0"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Отключение воды в доме", f"Отключение воды в{N}доме"),
        ("С 10:00 до 18:00 на ул. Ленина, д. 5, кв. 12", f"С{N}10:00 до{N}18:00 на{N}ул.{N}Ленина, д.{N}5, кв.{N}12"),
        ("и в доме, и во дворе", f"и{N}в{N}доме, и{N}во дворе"),
        ("г. Симферополь", f"г.{N}Симферополь"),
        ("Работы завершены — воду дали", f"Работы завершены{N}— воду дали"),
        ("Москва и Севастополь", f"Москва и{N}Севастополь"),
        ("и т.д. Ещё", f"и{N}т.д. Ещё"),
        ("Приходите в", "Приходите в"),
        ("повестка в\nразделе", "повестка в\nразделе"),
        ("по ПП № 354, п. 81 и 152-ФЗ ст. 5 ч. 7", f"по{N}ПП №{N}354, п.{N}81 и{N}152-ФЗ ст.{N}5 ч.{N}7"),
        ("и т.п. Далее", f"и{N}т.п. Далее"),
    ],
    ids=[
        "a preposition with the next word",
        "prepositions, a street, a house and a flat",
        "a chain of short words, a three-letter one left",
        "a town",
        "a dash with the word before it",
        "a word's last letter is no word",
        "an abbreviation ending another is no house",
        "the last word stays",
        "a plain text's line end stays",
        "a legal reference and a number's sign",
        "an abbreviation ending another is no item",
    ],
)
def test_short_words_are_bound_to_the_next_word_in_plain_text(text: str, shown: str) -> None:
    assert bound(text) == shown
    assert bound(shown) == shown, "a second pass changes nothing"
    assert bound(text).replace(N, " ") == text, "only spaces change"


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("Повестка в разделе «Собрания».", f"<p>Повестка в{N}разделе «Собрания».</p>"),
        ("Приходите в\n\nдвор", "<p>Приходите в</p>\n<p>двор</p>"),
        ("Собрание в\nпятницу", f"<p>Собрание в{N}пятницу</p>"),
        ("В **доме** и *во дворе*", f"<p>В{N}<strong>доме</strong> и{N}<em>во дворе</em></p>"),
        ("Файл `в папке` и\n\n    в папке\n", "<p>Файл <code>в папке</code> и</p>\n<pre><code>в папке\n</code></pre>"),
        ("Откройте в `config.yml`", f"<p>Откройте в{N}<code>config.yml</code></p>"),
        ("Собрание в  **пятницу**", f"<p>Собрание в{N}<strong>пятницу</strong></p>"),
        ("Собрание *в  пятницу*", f"<p>Собрание <em>в{N}пятницу</em></p>"),
        ("Москв**а** *и* все", f"<p>Москв<strong>а</strong> <em>и</em>{N}все</p>"),
        ("- мытьё полов в\n- подъездах", "<ul>\n<li>мытьё полов в</li>\n<li>подъездах</li>\n</ul>"),
        ("A & B в <доме>", f"<p>A &amp; B в{N}&lt;доме&gt;</p>"),
    ],
    ids=[
        "a paragraph",
        "«в» last in a paragraph stays",
        "a soft line end is a space",
        "across bold and italics",
        "code as typed",
        "a word before code",
        "two spaces before bold are one no-break space, the bold word whole",
        "the words before italics whole",
        "a letter of a word in bold is no word",
        "a list's item ends where it ends",
        "escaped characters stay escaped",
    ],
)
def test_a_posts_html_is_bound_in_its_text_nodes_only(markdown: str, html: str) -> None:
    rendered = render_markdown(markdown)
    assert bound_html(rendered).strip() == html
    assert bound_html(bound_html(rendered)) == bound_html(rendered), "a second pass changes nothing"
    assert re.findall("<[^>]*>", bound_html(rendered)) == re.findall("<[^>]*>", rendered), "tags as they were"


def test_a_links_address_and_title_are_left_as_typed_its_words_bound() -> None:
    rendered = render_markdown('Смотрите [в разделе](https://example.ru/?q=в+доме "в разделе") и в подъезде')
    shown = bound_html(rendered)
    assert shown == rendered.replace(">в разделе<", f">в{N}разделе<").replace("и в подъезде", f"и{N}в{N}подъезде")
    assert 'title="в разделе"' in shown and "q=%D0%B2+%D0%B4%D0%BE%D0%BC%D0%B5" in shown
