"""The real app in headless Chromium: question first, streaming, language, admin, WCAG (axe)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pageutil import (
    CONTRAST_JS,
    DESKTOP,
    PHONE,
    aria_labels,
    ask,
    bot_messages,
    bottom,
    css,
    heading_levels,
    open_page,
    open_tab,
    screen,
    serious_violations,
    text_of,
    visible_text,
    wait_for,
)

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = pytest.mark.browser

UPLOAD = """---
title: "Bibliotheek De Leerstad"
url: "https://bibliotheek.example.nl/openingstijden"
---

# Bibliotheek De Leerstad

De bibliotheek De Leerstad in Zwolle is op zondag open van twaalf tot vijf uur.
Leden kunnen er gratis een laptop lenen voor een dag.
"""

# Words Gradio or the old page showed in English (or developer words) in the Dutch interface.
NOT_DUTCH = [
    "chatbot conversation",
    "More tabs",
    "Built with Gradio",
    "Drop File Here",
    "Click to Upload",
    "Copy message",
    "user's message",
    "bot's message",
    "extractive",
    "Loading",
]
# Dutch words that must be gone in English mode.
NOT_ENGLISH = [
    "Vraag stellen",
    "Beheer",
    "Verstuur vraag",
    "Bronnen bij",
    "Beheerderswachtwoord",
    "Inloggen",
    "Gesprek met Leerstad",
    "Gesprek wissen",
    "Kopieer bericht",
    "Uw vraag",
]


def no_serious_violations(d: WebDriver, where: str) -> None:
    violations = serious_violations(d)
    assert not violations, f"axe-core on {where}:\n" + "\n".join(violations)


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_question_box_and_examples_are_above_the_fold(
    browser: WebDriver, app_url: str, artifacts: Path, name: str, size: tuple[int, int]
) -> None:
    d = browser
    open_page(d, app_url, size)
    height = d.execute_script("return window.innerHeight")
    assert height == size[1]
    assert bottom(d, css(d, "#question textarea")[0]) <= height
    examples = css(d, "#examples button")
    assert len(examples) == 4
    assert all(bottom(d, e) <= height for e in examples), "an example question is below the fold"
    scroll = d.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert scroll <= 1, f"the page scrolls sideways by {scroll}px"
    # The welcome: two lines, the topics and the number of documents, a link to the sources.
    paragraphs = [p.text for p in css(d, "#welcome p") if p.text.strip()]
    assert len(paragraphs) == 2
    assert "Integrale Kindcentra" in paragraphs[0] and "2 documenten" in paragraphs[0]
    d.save_screenshot(str(artifacts / f"start-{name}.png"))
    ask(d, "Wie moet de aanvraag steunen?")
    no_serious_violations(d, f"the chat with an answer ({name})")
    if name == "phone":
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(artifacts / "phone.png"))
    css(d, "#welcome a")[0].click()
    wait_for(d, lambda d: "UNESCO Learning Cities" in text_of(d, "#documents"), 30)


def test_answer_streams_with_a_busy_state_and_cites_its_sources(
    browser: WebDriver, app_url: str, app_workdir: Path, artifacts: Path
) -> None:
    d = browser
    open_page(d, app_url, DESKTOP)
    ask(d, "Wat is een integraal kindcentrum?")  # an answer of several sentences
    final = bot_messages(d)[-1].text.strip()
    seen = d.execute_script("return window.leerstadSeen")
    # The busy text comes first when the page renders it; a warm server can answer before the
    # browser paints it, so that it comes first is checked on the updates the server sends
    # (test_app_server.py::test_the_answer_is_streamed_after_a_busy_message).
    busy = "Bezig met zoeken in de bronnen…"
    assert busy not in seen[1:], seen
    partial = [t for t in seen if t not in (final, busy)]
    assert partial and all(final.startswith(t) for t in partial), seen  # grew before complete
    assert "Bronnen bij antwoord 1" in text_of(d, "#sources-heading")

    cite = bot_messages(d)[-1].find_elements("css selector", "a.cite")
    assert cite and css(d, "#sources li.source mark")
    link = css(d, '#sources a[href^="https://www.kindcentra2020.nl"]')
    assert link and link[0].get_attribute("rel") == "noopener noreferrer"
    d.save_screenshot(str(artifacts / "chat.png"))
    cite[0].click()
    target = cite[0].get_attribute("href").split("#")[1]
    wait_for(d, lambda d: d.execute_script("return document.activeElement.id") == target, 10)
    css(d, "#sources-column")[0].screenshot(str(artifacts / "sources.png"))

    # A follow-up with the keyboard; feedback: the thank-you sits next to the chosen thumb.
    ask(d, "Wie moet de aanvraag steunen?", press_enter=True)
    assert len(css(d, '#chat [data-testid="user"]')) == 2
    css(d, "#thumbs-down")[0].click()
    wait_for(d, lambda d: "U koos: Nee, niet nuttig" in text_of(d, "#feedback-note"), 30)
    down, up = css(d, "#thumbs-down")[0], css(d, "#thumbs-up")[0]
    assert down.text.startswith("✓") and "primary" in down.get_attribute("class")
    assert not up.text.startswith("✓") and "primary" not in up.get_attribute("class")
    note_box, row = css(d, "#feedback-note")[0], down.find_element("xpath", "..")
    assert note_box.find_element("xpath", "..") == row  # in the same row as the thumbs
    css(d, "#comment textarea")[0].send_keys("Het antwoord noemt het gemeentebestuur niet.")
    css(d, "#send-comment")[0].click()
    wait_for(d, lambda d: "toelichting is opgeslagen" in text_of(d, "#feedback-note"), 30)
    with sqlite3.connect(app_workdir / "data" / "feedback.sqlite3") as conn:
        rows = conn.execute("SELECT question, rating, comment FROM feedback").fetchall()
    assert ("Wie moet de aanvraag steunen?", "down") in [r[:2] for r in rows]


def test_a_question_that_is_too_long_gets_a_message_and_keeps_the_text(
    browser: WebDriver, app_url: str
) -> None:
    d = browser
    open_page(d, app_url, DESKTOP)
    box = css(d, "#question textarea")[0]
    d.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
        box,
        "Wat is een IKC? " + "x" * 1985,
    )
    css(d, "#ask")[0].click()
    wait_for(d, lambda d: "maximum is 2.000 tekens" in text_of(d, "#note"), 30)
    assert "2.001 tekens" in text_of(d, "#note")
    assert len(box.get_attribute("value")) == 2001  # nothing was cut off
    assert not bot_messages(d)


def test_every_visible_word_and_aria_label_follows_the_language(
    browser: WebDriver, app_url: str, artifacts: Path
) -> None:
    d = browser
    open_page(d, app_url, DESKTOP)
    ask(d, "Wat is een integraal kindcentrum?")
    assert d.execute_script("return document.documentElement.lang") == "nl"
    dutch = visible_text(d) + "\n" + "\n".join(aria_labels(d))
    for word in NOT_DUTCH:
        assert word not in dutch, f"{word!r} in the Dutch page"
    assert "Antwoorden met zinnen uit de bronnen" in text_of(d, "#backend")
    assert "Gesprek met Leerstad" in aria_labels(d)
    assert not [f for f in css(d, "footer") if f.is_displayed()]

    css(d, "#language")[0].click()
    wait_for(d, lambda d: css(d, "#ask")[0].text == "Send question", 30)
    wait_for(d, lambda d: d.execute_script("return document.documentElement.lang") == "en", 10)
    open_tab(d, "Admin")  # the admin tab is English too
    wait_for(d, lambda d: "Administrator password" in text_of(d, "#admin-password"), 10)
    open_tab(d, "Ask a question")
    english = visible_text(d) + "\n" + "\n".join(aria_labels(d))
    for word in NOT_ENGLISH:
        assert word not in english, f"{word!r} in the English page"
    assert "Conversation with Leerstad" in aria_labels(d)
    assert any(label.startswith("Leerstad's answer: ") for label in aria_labels(d))
    assert "Answers with sentences from the sources" in text_of(d, "#backend")
    assert "How can our municipality become a member?" in text_of(d, "#examples")
    d.save_screenshot(str(artifacts / "english.png"))
    css(d, "#language")[0].click()
    wait_for(d, lambda d: css(d, "#ask")[0].text == "Verstuur vraag", 30)


def test_focus_ring_headings_tab_contrast_and_table_headers(
    browser: WebDriver, app_url: str
) -> None:
    from selenium.webdriver.common.keys import Keys

    d = browser
    open_page(d, app_url, DESKTOP)
    levels = heading_levels(d)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    selected = css(d, 'button[role="tab"][aria-selected="true"]')[0]
    assert d.execute_script(CONTRAST_JS, selected) >= 4.5
    css(d, "#question textarea")[0].click()
    css(d, "#question textarea")[0].send_keys(Keys.TAB)  # keyboard focus moves to the button
    focused = d.execute_script("return document.activeElement")
    assert focused.get_attribute("id") == "ask"
    ring = d.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]"
    )
    assert ring[0] == "solid" and ring[1] >= 3, ring

    screen(d, PHONE)
    open_tab(d, "Bronnen")
    wait_for(d, lambda d: css(d, "#documents table"), 30)
    for th in css(d, "#documents thead th"):
        style = d.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.overflowWrap, s.wordBreak]", th
        )
        assert style == ["normal", "normal"], (th.text, style)  # wraps between words only
    no_serious_violations(d, "the Bronnen tab on a phone")


def test_admin_upload_and_a_rebuild_that_asks_first_and_keeps_every_source(
    browser: WebDriver, app_url: str, artifacts: Path, tmp_path: Path, admin_password: str
) -> None:
    d = browser
    open_page(d, app_url, DESKTOP)
    open_tab(d, "Beheer")
    css(d, "#admin-password input")[0].send_keys("verkeerd")
    css(d, "#admin-login")[0].click()
    wait_for(d, lambda d: "Onjuist wachtwoord" in text_of(d, "#admin-note"), 30)
    assert not [p for p in css(d, "#admin-panel") if p.is_displayed()]
    password = css(d, "#admin-password input")[0]
    password.clear()
    password.send_keys(admin_password)
    css(d, "#admin-login")[0].click()
    wait_for(d, lambda d: "UNESCO Learning Cities" in text_of(d, "#admin-documents"), 30)
    assert "Drop File Here" not in text_of(d, "#admin-upload")

    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00")
    css(d, "#admin-upload input[type=file]")[0].send_keys(str(program))
    wait_for(d, lambda d: "setup.exe: alleen .pdf" in text_of(d, "#admin-result"), 30)
    assert "Invalid file type" not in visible_text(d)

    document = tmp_path / "bibliotheek-de-leerstad.md"
    document.write_text(UPLOAD, encoding="utf-8")
    css(d, "#admin-upload input[type=file]")[0].send_keys(str(document))
    wait_for(d, lambda d: "bibliotheek-de-leerstad" in text_of(d, "#admin-upload").lower(), 30)
    css(d, "#admin-add")[0].click()
    wait_for(d, lambda d: "1 toegevoegd" in text_of(d, "#admin-result"))
    assert "Bibliotheek De Leerstad" in text_of(d, "#admin-documents")
    no_serious_violations(d, "the admin panel")
    d.save_screenshot(str(artifacts / "admin.png"))

    # The rebuild asks first, says what it reads and removes, and can be cancelled.
    css(d, "#admin-rebuild")[0].click()
    wait_for(d, lambda d: "Weet u het zeker?" in text_of(d, "#admin-rebuild-plan"), 30)
    plan = text_of(d, "#admin-rebuild-plan")
    assert "alle 3 documenten" in plan and "Er verdwijnt geen document" in plan
    assert "uploads" in plan  # the uploaded document's folder is one of the sources
    d.save_screenshot(str(artifacts / "admin-rebuild.png"))
    css(d, "#admin-rebuild-no")[0].click()
    wait_for(d, lambda d: "geannuleerd" in text_of(d, "#admin-result"), 30)
    assert not [b for b in css(d, "#admin-rebuild-confirm") if b.is_displayed()]

    css(d, "#admin-rebuild")[0].click()
    wait_for(d, lambda d: any(b.is_displayed() for b in css(d, "#admin-rebuild-yes")), 30)
    css(d, "#admin-rebuild-yes")[0].click()
    wait_for(d, lambda d: "Klaar: 3 toegevoegd" in text_of(d, "#admin-result"))
    progress = d.execute_script("return window.leerstadProgress")
    assert any(p.endswith("van 3 documenten") for p in progress), progress
    assert "Bibliotheek De Leerstad" in text_of(d, "#admin-documents")  # kept by the rebuild

    open_tab(d, "Vraag stellen")
    ask(d, "Kan ik een laptop lenen bij de bibliotheek?")
    assert "Bibliotheek De Leerstad" in text_of(d, "#sources")
    assert "laptop" in bot_messages(d)[-1].text
