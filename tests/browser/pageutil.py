"""Helpers for driving the Leerstad page in Chromium: waits, sizes, recorders, axe-core."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

DESKTOP = (1366, 768)
PHONE = (390, 844)

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

# Records every distinct text of the newest answer bubble, and every progress text in words.
RECORDER_JS = """
window.leerstadSeen = []; window.leerstadProgress = [];
new MutationObserver(() => {
  const bots = document.querySelectorAll('#chat [data-testid="bot"]');
  if (bots.length) {
    const text = bots[bots.length - 1].innerText.trim();
    const seen = window.leerstadSeen;
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  }
  const words = document.body.innerText.match(/\\d+ (van|of) \\d+ (documenten|documents)/);
  if (words && !window.leerstadProgress.includes(words[0])) window.leerstadProgress.push(words[0]);
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 120) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition)


def css(driver: WebDriver, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(driver: WebDriver, selector: str) -> str:
    return " ".join(e.text for e in css(driver, selector))


def screen(driver: WebDriver, size: tuple[int, int]) -> None:
    """Emulate a viewport of exactly ``size`` CSS pixels (a phone when it is narrow)."""
    width, height = size
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    wait_for(driver, lambda d: d.execute_script("return window.innerWidth") == width, 10)


def open_page(driver: WebDriver, url: str, size: tuple[int, int] = DESKTOP) -> None:
    screen(driver, size)
    driver.get(url)
    wait_for(driver, lambda d: css(d, "#tab-documents-button"), 60)
    # Nothing may lie over the tabs while the page loads its data (Gradio's loading overlay did).
    assert driver.execute_script(TAB_REACHABLE_JS), "something covers the tabs while loading"
    wait_for(driver, lambda d: "documenten" in text_of(d, "#welcome"))
    driver.execute_script(RECORDER_JS)


TAB_REACHABLE_JS = """
const tab = document.querySelector("#tab-documents-button");
const r = tab.getBoundingClientRect();
return tab.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
"""


def bottom(driver: WebDriver, element: Any) -> float:
    return float(
        driver.execute_script("return arguments[0].getBoundingClientRect().bottom", element)
    )


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


def aria_labels(driver: WebDriver) -> list[str]:
    script = "return [...document.querySelectorAll('[aria-label]')].map(e => e.ariaLabel)"
    return list(driver.execute_script(script))


def visible_text(driver: WebDriver) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def serious_violations(driver: WebDriver) -> list[str]:
    """axe-core's serious and critical WCAG violations on the page, one line each."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    options = '{"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}'
    results = axe.run(options=options)
    return [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:5]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def heading_levels(driver: WebDriver) -> list[int]:
    script = """return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
      .filter((h) => h.offsetParent !== null && h.innerText.trim())
      .map((h) => Number(h.tagName[1]))"""
    return list(driver.execute_script(script))
