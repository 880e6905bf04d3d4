"""The language a text is written in (py3langid: 97 languages), as an ISO 639-1 code."""

from __future__ import annotations

LANGUAGE_SAMPLE = 2000  # characters of the text given to the language identifier


def language_of(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None for an empty text."""
    if not text.strip():
        return None
    import py3langid

    return py3langid.classify(text[:LANGUAGE_SAMPLE])[0]
