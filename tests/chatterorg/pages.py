"""Find form controls by their visible label, as a screen reader or a browser test would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, Any]] = {}
        self.labels: list[tuple[str, str]] = []  # (label text, for)
        self.texts: list[str] = []
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes: dict[str, Any] = dict(attrs)
        attributes["tag"] = tag
        if attributes.get("id"):
            self.by_id[attributes["id"]] = attributes
        if tag == "label":
            self._label_for, self._label_text = attributes.get("for"), []
        elif tag == "select":
            attributes["options"] = []
            self._select = attributes
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "selected": "selected" in attributes}
            self._option["text"] = ""
            self._select["options"].append(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for is not None:
            self.labels.append((" ".join("".join(self._label_text).split()), self._label_for))
            self._label_for = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self._label_text.append(data)
        if self._option is not None:
            self._option["text"] += data.strip()


def _parse(html: str | bytes) -> _Controls:
    parser = _Controls()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser


def control(html: str | bytes, label: str) -> dict[str, Any]:
    """The attributes of the control labelled ``label`` (AssertionError if none or several)."""
    parsed = _parse(html)
    targets = [for_id for text, for_id in parsed.labels if text == label]
    assert len(targets) == 1, f"{len(targets)} labels {label!r}; labels: {parsed.labels}"
    assert targets[0] in parsed.by_id, f"label {label!r} points at no element"
    return parsed.by_id[targets[0]]


def is_checked(html: str | bytes, label: str) -> bool:
    box = control(html, label)
    assert box.get("type") == "checkbox", f"{label!r} is not a checkbox"
    return "checked" in box


def option_texts(html: str | bytes, label: str) -> list[str]:
    return [option["text"] for option in control(html, label)["options"]]


def labels(html: str | bytes) -> list[str]:
    return [text for text, _ in _parse(html).labels]
