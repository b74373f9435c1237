"""Components whose texts follow the language switch, each declared once with its texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gradio as gr

from web.texts import NL, texts

C = TypeVar("C", bound=gr.blocks.Block)
# A text is a template over the labels of web.texts ("## {examples}") or a function of them.
Text = str | Callable[[dict[str, str]], str]


def resolve(text: Text, labels: dict[str, str]) -> str:
    return text(labels) if callable(text) else text.format_map(labels)


@dataclass
class Translated:
    """The registry the language switch updates: component -> its texts by property."""

    items: list[tuple[gr.blocks.Block, dict[str, Text]]] = field(default_factory=list)

    def make(self, cls: Callable[..., C], text: dict[str, Text], **kwargs: Any) -> C:
        """Create ``cls`` with its Dutch texts and remember them for the switch."""
        component = cls(**{prop: resolve(t, NL) for prop, t in text.items()}, **kwargs)
        self.items.append((component, text))
        return component

    def button(self, key: str, elem_id: str, **kwargs: Any) -> gr.Button:
        return self.make(gr.Button, {"value": "{" + key + "}"}, elem_id=elem_id, **kwargs)

    @property
    def outputs(self) -> list[gr.blocks.Block]:
        return [component for component, _ in self.items]

    def updates(self, lang: str) -> list[Any]:
        """The new texts of every registered component, in the order of ``outputs``."""
        labels = texts(lang)
        return [
            gr.update(**{p: resolve(t, labels) for p, t in text.items()}) for _, text in self.items
        ]
