"""The real app in headless Chromium: ask, sources, follow-up, feedback, admin login, upload."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

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

# WCAG 2.1 AA contrast of text against its (nearest opaque) background, computed in the page.
CONTRAST_JS = """
const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = (el) => {
  for (; el; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
  }
  return [255, 255, 255];
};
const el = arguments[0];
const [a, b] = [lum(parse(getComputedStyle(el).color)), lum(background(el))];
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 120) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition)


def css(driver: WebDriver, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(driver: WebDriver, selector: str) -> str:
    found = css(driver, selector)
    return " ".join(e.text for e in found)


def bot_messages(driver: WebDriver) -> list[Any]:
    return css(driver, '#chat [data-testid="bot"]')


def ask(driver: WebDriver, question: str, press_enter: bool = False) -> None:
    """Type a question and send it; wait until the answer is final (its sources are shown)."""
    from selenium.webdriver.common.keys import Keys

    before = len(bot_messages(driver))
    box = css(driver, "#question textarea")[0]
    box.click()
    box.send_keys(question)
    if press_enter:
        box.send_keys(Keys.ENTER)
    else:
        css(driver, "#ask")[0].click()
    heading = f"antwoord {before + 1}"
    wait_for(driver, lambda d: heading in text_of(d, "#sources-heading").lower())


def open_tab(driver: WebDriver, label: str) -> None:
    from selenium.webdriver.common.by import By

    tab = driver.find_element(By.XPATH, f'//button[@role="tab" and normalize-space()="{label}"]')
    tab.click()


def test_ask_follow_up_feedback_admin_upload(
    browser: WebDriver,
    app_url: str,
    app_workdir: Path,
    artifacts: Path,
    tmp_path: Path,
    admin_password: str,
) -> None:
    d = browser
    d.get(app_url)
    wait_for(d, lambda d: "UNESCO Learning Cities" in text_of(d, "#welcome"))
    assert d.execute_script("return document.documentElement.lang") == "nl"
    assert "weet niets buiten deze documenten" in text_of(d, "#welcome")
    assert "extractive" in text_of(d, "#backend")

    # A question: the answer streams in with a citation that leads to the sources panel.
    ask(d, "Hoe kan onze gemeente lid worden?")
    answer = bot_messages(d)[-1]
    cite = answer.find_elements("css selector", "a.cite")
    assert cite, answer.get_attribute("innerHTML")
    sources = css(d, "#sources li.source")
    assert sources and "UNESCO Learning Cities" in sources[0].text
    assert css(d, "#sources li.source mark"), css(d, "#sources")[0].get_attribute("innerHTML")
    link = css(d, '#sources a[href^="https://www.uil.unesco.org"]')
    assert link and link[0].get_attribute("rel") == "noopener noreferrer"
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(str(artifacts / "chat.png"))
    cite[0].click()
    target = cite[0].get_attribute("href").split("#")[1]
    wait_for(d, lambda d: d.execute_script("return document.activeElement.id") == target, 10)
    css(d, "#sources-column")[0].screenshot(str(artifacts / "sources.png"))

    # A follow-up, sent with the keyboard, continues the same conversation.
    ask(d, "Wie moet de aanvraag steunen?", press_enter=True)
    assert len(css(d, '#chat [data-testid="user"]')) == 2
    assert bot_messages(d)[-1].find_elements("css selector", "a.cite")

    # Feedback on the latest answer lands in SQLite with the comment, without personal data.
    css(d, "#thumbs-down")[0].click()
    wait_for(d, lambda d: "beoordeling is opgeslagen" in text_of(d, "#note"), 30)
    comment = css(d, "#comment textarea")[0]
    comment.send_keys("Het antwoord noemt het gemeentebestuur niet.")
    css(d, "#send-comment")[0].click()
    wait_for(d, lambda d: "toelichting is opgeslagen" in text_of(d, "#note"), 30)
    with sqlite3.connect(app_workdir / "data" / "feedback.sqlite3") as conn:
        rows = conn.execute("SELECT question, rating, comment FROM feedback").fetchall()
    assert rows == [
        ("Wie moet de aanvraag steunen?", "down", "Het antwoord noemt het gemeentebestuur niet.")
    ]

    check_contrast(d)
    try:
        admin_login(d, artifacts, admin_password)
        upload_and_ask(d, tmp_path, artifacts)
        phone_screen_and_english(d, artifacts)
    except Exception:
        d.save_screenshot(str(artifacts / "failure.png"))
        raise


MAIN_TEXT = ["#ask", "#new-chat", "#thumbs-up", "#backend p", "#welcome p", "#sources li.source p"]


def check_contrast(d: WebDriver, selectors: list[str] = MAIN_TEXT) -> None:
    for selector in selectors:
        for element in css(d, selector)[:2]:
            ratio = d.execute_script(CONTRAST_JS, element)
            assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f} < 4.5"


def admin_login(d: WebDriver, artifacts: Path, admin_password: str) -> None:
    open_tab(d, "Beheer")
    password = css(d, "#admin-password input")[0]
    password.send_keys("verkeerd")
    css(d, "#admin-login")[0].click()
    wait_for(d, lambda d: "Onjuist wachtwoord" in text_of(d, "#admin-note"), 30)
    assert not [p for p in css(d, "#admin-panel") if p.is_displayed()]

    password = css(d, "#admin-password input")[0]
    password.clear()
    password.send_keys(admin_password)
    css(d, "#admin-login")[0].click()
    wait_for(d, lambda d: any(p.is_displayed() for p in css(d, "#admin-panel")), 30)
    wait_for(d, lambda d: "UNESCO Learning Cities" in text_of(d, "#admin-documents"), 30)
    check_contrast(d, ["#admin-add", "#admin-del", "#admin-rebuild"])
    d.save_screenshot(str(artifacts / "admin.png"))


def upload_and_ask(d: WebDriver, tmp_path: Path, artifacts: Path) -> None:
    document = tmp_path / "bibliotheek-de-leerstad.md"
    document.write_text(UPLOAD, encoding="utf-8")
    css(d, "#admin-upload input[type=file]")[0].send_keys(str(document))
    wait_for(d, lambda d: "bibliotheek-de-leerstad" in text_of(d, "#admin-upload").lower(), 30)
    css(d, "#admin-add")[0].click()
    wait_for(d, lambda d: "1 toegevoegd" in text_of(d, "#admin-result"))
    assert "Bibliotheek De Leerstad" in text_of(d, "#admin-documents")
    d.save_screenshot(str(artifacts / "admin-upload.png"))

    open_tab(d, "Vraag stellen")
    css(d, "#new-chat")[0].click()
    wait_for(d, lambda d: not bot_messages(d), 30)
    ask(d, "Kan ik een laptop lenen bij de bibliotheek?")
    assert "Bibliotheek De Leerstad" in text_of(d, "#sources")
    assert "laptop" in bot_messages(d)[-1].text
    d.save_screenshot(str(artifacts / "uploaded-answer.png"))


def phone_screen_and_english(d: WebDriver, artifacts: Path) -> None:
    d.set_window_size(390, 844)
    d.execute_script("window.scrollTo(0, 0)")
    wait_for(d, lambda d: d.execute_script("return window.innerWidth") <= 400, 10)
    overflow = d.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"page scrolls sideways by {overflow}px on a phone-sized screen"
    d.save_screenshot(str(artifacts / "phone.png"))

    css(d, "#language input[value=en]")[0].click()
    wait_for(d, lambda d: css(d, "#ask")[0].text == "Send question", 30)
    assert d.execute_script("return document.documentElement.lang") == "en"
    assert "Leerstad only knows these documents" in text_of(d, "#welcome")
    d.set_window_size(1280, 1400)
