"""Text safety for Streamlit Markdown: anything that did not come from this code is escaped."""

from __future__ import annotations

_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$")


def escape(text: str) -> str:
    """Escape Markdown (and HTML-looking) characters so text shows exactly as typed."""
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def plural(count: int, word: str) -> str:
    """``1 problem``, ``2 problems``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
