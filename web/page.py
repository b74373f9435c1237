"""The page's look and behaviour in the browser: theme, CSS and the script in <head>."""

from __future__ import annotations

import json

import gradio as gr

from web.texts import TEXTS

# Gradio writes these ARIA labels in English (or, once rendered, in the locale it had then);
# the page script keeps them in the chosen language (keys of web.texts).
GRADIO_ARIA = {
    "chatbot conversation": "aria_chat",
    "More tabs": "aria_more_tabs",
    "Clear": "aria_clear",
    "Gesprek wissen": "aria_clear",
    "Wissen": "aria_clear",
    "Copy message": "aria_copy",
    "Copied message": "aria_copied",
}
# ... and these as the start of each chat message's label.
GRADIO_ARIA_PREFIXES = {
    "user's message: ": "aria_user_message",
    "bot's message: ": "aria_bot_message",
}


def head() -> str:
    """The page script with the label tables filled in."""
    keys = {*GRADIO_ARIA.values(), *GRADIO_ARIA_PREFIXES.values()}
    own = {key: {lang: labels[key] for lang, labels in TEXTS.items()} for key in keys}
    aliases = dict(GRADIO_ARIA)
    for key in GRADIO_ARIA.values():
        aliases.update({labels[key]: key for labels in TEXTS.values()})
    tables = {
        "__ARIA__": own,
        "__ALIASES__": aliases,
        "__PREFIXES__": GRADIO_ARIA_PREFIXES,
    }
    script = HEAD
    for name, table in tables.items():
        script = script.replace(name, json.dumps(table, ensure_ascii=False))
    return script


HEAD = r"""
<script>
(() => {
  const ARIA = __ARIA__, ALIASES = __ALIASES__, PREFIXES = __PREFIXES__;
  const plain = (html) => {
    const div = document.createElement("div"); div.innerHTML = html; return div.textContent;
  };
  let lang = "nl";
  // Gradio's own words follow its i18n locale, which starts as the browser's language.
  async function gradioLocale(l) {
    const core = performance.getEntriesByType("resource").map((e) => e.name)
      .find((n) => /\/assets\/core-[^/]*\.js$/.test(n));
    if (!core) return;
    try { const mod = await import(core); if (mod.changeLocale) mod.changeLocale(l); }
    catch (e) { console.warn("Leerstad: cannot set Gradio's language", e); }
  }
  function relabel(root) {
    // Gradio's tab buttons point aria-controls at panels it has not rendered yet.
    for (const tab of root.querySelectorAll('[role="tab"][aria-controls]')) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) {
        tab.removeAttribute("aria-controls");
      }
    }
    for (const el of root.querySelectorAll("[aria-label]")) {
      const label = el.getAttribute("aria-label");
      const english = Object.keys(PREFIXES).find((p) => label.startsWith(p));
      if (english) {
        el.dataset.ariaKey = PREFIXES[english];
        el.dataset.ariaRest = plain(label.slice(english.length));
      } else if (label in ALIASES) {
        el.dataset.ariaKey = ALIASES[label];
        delete el.dataset.ariaRest;
      }
      const key = el.dataset.ariaKey;
      if (!key) continue;
      const wanted = ARIA[key][lang] + (el.dataset.ariaRest || "");
      if (label !== wanted) el.setAttribute("aria-label", wanted);
    }
  }
  window.leerstadLanguage = (l) => {
    lang = l === "en" ? "en" : "nl";
    document.documentElement.lang = lang;
    relabel(document);
    gradioLocale(lang);
  };
  new MutationObserver(() => relabel(document)).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["aria-label", "aria-controls"],
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a");
    if (!link) return;
    const href = link.getAttribute("href") || "";
    if (href === "#tab-documents-button") {  // the welcome's link to the Bronnen tab
      const tab = document.querySelector(href);
      if (tab) { event.preventDefault(); tab.click(); tab.focus(); }
      return;
    }
    // [n] in an answer moves focus to source n in the panel (keyboard and screen readers).
    if (!link.classList.contains("cite")) return;
    const target = document.getElementById(href.slice(1));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({behavior: "smooth", block: "start"});
    target.focus({preventScroll: true});
  }, true);
})();
</script>
"""

CSS = """
footer { display: none !important; }
.gradio-container { padding-top: 0.5rem !important; }
#header { align-items: center; }
/* Empty message areas take no room (so the question box stays high on the page). */
#service-status:not(:has(.status-warning)), #note:not(:has(p)),
#admin-note:not(:has(p)) { display: none !important; }
#examples { flex-direction: row !important; flex-wrap: wrap !important; gap: 0.4rem !important; }
#examples > button { flex: 1 1 40% !important; min-width: 140px !important; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 0.5rem !important; padding-right: 0.5rem !important; }
  #app-title h1 { font-size: 1.4rem; }
}
#app-title h1 { margin: 0; font-size: 1.75rem; }
#backend p { margin: 0; }
#welcome p { margin: 0.15rem 0; }
.example { text-align: left; }
:focus-visible, button:focus-visible, a:focus-visible, input:focus-visible,
textarea:focus-visible { outline: 3px solid #111827 !important; outline-offset: 2px;
  box-shadow: 0 0 0 2px #ffffff !important; }
button[role="tab"] { color: #1f2937 !important; }
button[role="tab"][aria-selected="true"] { color: #1d4ed8 !important; font-weight: 600;
  border-bottom: 3px solid #1d4ed8; }
.sources { padding-left: 0; list-style: none; }
.source { border-left: 4px solid #1d4ed8; padding: 0.25rem 0.75rem; margin-bottom: 1rem; }
.source:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.source h3 { font-size: 1rem; margin: 0 0 0.25rem; }
.source mark { background: #fde68a; color: #111827; padding: 0 0.1em; }
.source-section { font-style: italic; margin: 0 0 0.25rem; }
.source blockquote { margin: 0.25rem 0; }
.status-warning { border: 2px solid #b45309; background: #fffbeb; color: #78350f; padding: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.note { margin: 0.25rem 0; font-weight: 600; }
#feedback-note .note { margin: 0; }
#feedback-row { align-items: center; flex-wrap: wrap; }
#feedback-row > * { flex: 0 1 auto !important; min-width: min-content !important; }
#feedback-heading p { margin: 0; }
table.documents { border-collapse: collapse; width: 100%; }
table.documents th, table.documents td { border-bottom: 1px solid #d1d5db; padding: 0.4rem;
  text-align: left; vertical-align: top; }
table.documents thead th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
table.documents td a { overflow-wrap: anywhere; }
table.documents caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
"""


def theme() -> gr.themes.Base:
    """The default theme with colours that meet WCAG AA contrast (4.5:1) for text."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate").set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_secondary_text_color="*neutral_800",
        input_placeholder_color="*neutral_600",
        body_text_color_subdued="*neutral_600",
        block_info_text_color="*neutral_600",
        block_label_text_color="*neutral_700",
        link_text_color="*primary_700",
        link_text_color_visited="*primary_800",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_text_color="white",
    )
