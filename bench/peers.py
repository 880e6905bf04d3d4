"""Public extractors run side by side with boilerplate. Each is imported lazily: a peer that is not
installed (`pip install .[peers]`) is reported as skipped, never a crash."""

from __future__ import annotations

from collections.abc import Callable

Extractor = Callable[[str, str], str]  # (html, language "zh"/"en") -> extracted text


def _trafilatura(precision: bool) -> Extractor:
    import trafilatura

    def run(html: str, lang: str) -> str:
        return trafilatura.extract(html, favor_precision=precision) or ""
    return run


def _readability() -> Extractor:
    import lxml.html
    from readability import Document

    def run(html: str, lang: str) -> str:
        summary = Document(html).summary(html_partial=True)
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    return run


def _justext() -> Extractor:
    import justext

    english = justext.get_stoplist("English")

    def run(html: str, lang: str) -> str:
        if lang == "en":
            paragraphs = justext.justext(html.encode("utf-8"), english, encoding="utf-8")
        else:  # no stoplist: stop-word densities are 0, so their thresholds must be 0 too
            paragraphs = justext.justext(html.encode("utf-8"), frozenset(), encoding="utf-8",
                                         stopwords_low=0, stopwords_high=0)
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    return run


def _boilerpy3() -> Extractor:
    from boilerpy3 import extractors

    extractor = extractors.ArticleExtractor(raise_on_failure=False)

    def run(html: str, lang: str) -> str:
        return extractor.get_content(html) or ""
    return run


def _resiliparse() -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text

    def run(html: str, lang: str) -> str:
        return extract_plain_text(html, main_content=True)
    return run


def _goose3() -> Extractor:
    from goose3 import Goose
    from goose3.text import StopWordsChinese

    goose = {"en": Goose({"enable_image_fetching": False}),
             "zh": Goose({"enable_image_fetching": False, "stopwords_class": StopWordsChinese,
                          "use_meta_language": False, "target_language": "zh"})}  # needs jieba

    def run(html: str, lang: str) -> str:
        return goose[lang].extract(raw_html=html).cleaned_text or ""
    return run


def _gne() -> Extractor:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def run(html: str, lang: str) -> str:
        return extractor.extract(html).get("content", "") or ""
    return run


def _html_text() -> Extractor:
    import html_text

    def run(html: str, lang: str) -> str:
        return html_text.extract_text(html)
    return run


PEERS: dict[str, Callable[[], Extractor]] = {
    "trafilatura": lambda: _trafilatura(False),
    "trafilatura-precision": lambda: _trafilatura(True),
    "readability-lxml": _readability,
    "justext": _justext,
    "boilerpy3-article": _boilerpy3,
    "resiliparse": _resiliparse,
    "goose3": _goose3,
    "gne": _gne,
    "html-text (keep all)": _html_text,
}


def load_peers(names: list[str] | None = None) -> tuple[dict[str, Extractor], dict[str, str]]:
    """The installed peers as extractors, and a note for each that could not be loaded."""
    loaded: dict[str, Extractor] = {}
    skipped: dict[str, str] = {}
    for name, factory in PEERS.items():
        if names and name not in names:
            continue
        try:
            loaded[name] = factory()
        except Exception as e:  # ImportError, or a peer's own start-up failure
            skipped[name] = f"{type(e).__name__}: {e}"
    return loaded, skipped
