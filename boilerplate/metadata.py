"""The page's metadata: who wrote it and when, its site, description, language, canonical URL, image and
tags, from what the page declares (JSON-LD, OpenGraph and article:*, Twitter cards, Dublin Core and other
<meta> names, microdata, <time>), then its byline lines and its URL. Each field comes from the most
trusted source that has a usable value, and says which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .dates import parse_date

MAX_LD_CHARS = 1_000_000  # JSON-LD read per page (a 10 MB blob is cut, then read as far as it parses)
MAX_LD_DEPTH = 12  # nesting of JSON-LD objects searched
MAX_AUTHORS = 10
MAX_FIELD_CHARS = 1000  # longer descriptions are cut
_ORGANIZATIONS = frozenset({"organization", "newsmediaorganization", "corporation", "localbusiness",
                            "educationalorganization", "governmentorganization"})
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "report", "scholarlyarticle", "techarticle",
                           "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "reportagenewsarticle",
                           "liveblogposting", "socialmediaposting", "discussionforumposting", "qapage", "question",
                           "product", "review", "recipe", "howto", "webpage", "medicalwebpage", "collectionpage",
                           "itempage", "faqpage", "videoobject", "event", "course"})
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|\.html?|$)")
_NAME_CHAR = r"(?:[^|·•»,;:\d]|(?<=[^\W_])\d)"  # digits only inside a word ("InsaneSnow45"), not a date's
_NAME_END = r"\s*(?:$|[|·•»,;:]|\s[-–—]\s|\s(?i:on|in|updated|published)\s|(?<![^\W_])\d)"
_BYLINE_AUTHOR = re.compile(r"^\W*(?:by|von|par|por|autor(?:ka)?|автор|συντάκτης|作者|记者|記者|文)\s*[:：]?\s*"
                            rf"({_NAME_CHAR}{{2,80}}?){_NAME_END}", re.I)
_AFTER_NAME = re.compile(r"\s+(?:\d.*|[-–—|]\s.*)$")  # what follows a name: counts ("15911 silver badge"), a role
_BY_ANYWHERE = re.compile(r"(?:^|[\s·|•,:–—-])(?i:written\s+by|posted\s+by|by)\s*:?\s*"
                          rf"([A-Z]{_NAME_CHAR}{{1,60}}?){_NAME_END}")
_POST_BY = re.compile(r"(?i)^\W*post(?:ed)?\s+by\s+([^\W\d][\w.-]{1,40})\s*(?:$|[»|·•]|\s(?:on|at)\s)")  # a forum's
# opening post: "Post by changingtimes » Sat Feb 24, 2024" (user names may be lower case)
_BY_WORD = re.compile(r"(?i)\bby\b")
_BY_FIRST = re.compile(r"(?i)\W*by\s")
_NOT_NAMES = frozenset({"share", "post", "posts", "topic", "topics", "technology", "related", "menu", "home", "blog",
                        "news", "contact", "search", "login", "subscribe", "read", "more", "comments", "tags",
                        "categories", "category", "updated", "published", "about", "author", "authors", "table",
                        "contents", "energy", "live", "video", "guide", "top", "industry", "frequently", "asked",
                        "questions", "latest", "reviews", "program", "view", "toolbox", "price", "date", "type",
                        "popularity", "relevance", "newest", "oldest", "name", "brand", "location", "role",
                        "continuing"})
_NOT_BY = re.compile(r"(?i:powered|filter|sort|browse|shop|search|made|designed|built|hosted|developed|photos?|"
                     r"images?|illustrations?|courtesy|posts|inspired|followed|supported|sponsored|presented|"
                     r"created|produced|brought to you|provided|operated|owned|reviewed|answered|asked|updated|"
                     r"edited|checked)\W+by\W*$")
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|da|del|la|le|bin|al)){1,3}$")
_OTHER_DATE_KEY = re.compile(r"publish|(?:^|[-_.:])date$")
_NOT_PUBLISHED_KEY = re.compile(r"modif|updat|expir|revis|valid|end|start|event|birth|print")
_NOT_AUTHOR = re.compile(r"(?i)(?:admin(?:istrator)?$|(?:\w+\s+)?(?:updated|reviewed|edited|fact[- ]checked)\s+by\b)")
WRITTEN_BY = re.compile(  # a label before an author's name ("Written by", "Author:")
    r"(?i)\s*(?:written|posted|article|authored)\s+by\s*:?\s*$|\s*authors?\s*:?\s*$")
PUBLISHED_ON = re.compile(  # a label before a publication date ("Published: May 3, 2024", "发布时间：2024-05-03")
    r"(?i)\W*(?:(?:first\s+|originally\s+|date\s+)?published|posted|publication\s+date|publish\s+date"
    r"|veröffentlicht|publié|publicado|pubblicato|opublikowano|data\s+publikacji|опубликовано|дата\s+публикации"
    r"|δημοσιεύθηκε|δημοσίευση|发布时间|發佈時間|发布日期|發布日期|发布于|發布於|发表于|發表於|发表时间|發表時間)\b")
_ELEMENT_LABEL = re.compile(r"(?i)^(?:view\s+all\s+(?:posts|articles)\s+by|(?:all\s+)?(?:posts|articles|stories)\s+by"
                            r"|more\s+(?:from|by)|written\s+by|posted\s+by|by|offline|online)\b\s*:?\s*")
_URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net)/", re.I)


@dataclass
class Metadata:
    """What a page says of itself. Dates are ISO 8601 (a date, or a date and time with its offset when the
    page gives one); `sources` names, per field set, where it came from ("json-ld", "meta:og", "time",
    "byline", "link", "url", ...); `language_declared` is the page's <html lang> or content-language."""

    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    site_name: str | None = None
    description: str | None = None
    language_declared: str | None = None
    canonical_url: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)


@dataclass
class Declared:
    """The page's declarations as the walk gathered them (_head.Meta)."""

    metas: list[tuple[str | None, str | None, str | None, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    times: list[tuple[str | None, str]] = field(default_factory=list)
    props: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    lang: str | None = None
    author_links: list[str] = field(default_factory=list)  # the text of the first link to an author's page




# ---- JSON-LD


def _ld_objects(scripts: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD (arrays, @graph and nesting searched, MAX_LD_DEPTH deep);
    a script that does not parse is skipped."""
    for text in scripts:
        text = text.strip()
        if text.startswith("<!--"):
            text = text[4:].rsplit("-->", 1)[0]
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            try:  # a common slip: a trailing comma
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
            except (ValueError, RecursionError):
                continue
        yield from _walk_ld(data, 0)


def _walk_ld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_LD_DEPTH:
        return
    if isinstance(data, list):
        for x in data[:200]:
            yield from _walk_ld(x, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _walk_ld(graph, depth + 1)
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, (dict, list)):
            yield from _walk_ld(main, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {v.lower() for v in values if isinstance(v, str)}


def _names(value: Any, depth: int = 0, organizations: bool = True) -> list[str]:
    """Names of an author value: a string, an object with a name, or a list of them (organizations'
    only with `organizations`)."""
    if depth > 3 or value is None:
        return []
    if isinstance(value, dict) and not organizations and _types(value) & _ORGANIZATIONS:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for v in value[:MAX_AUTHORS] for n in _names(v, depth + 1, organizations)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, (str, list)):
            return _names(name, depth + 1)
        given, family = value.get("givenName"), value.get("familyName")
        if isinstance(given, str) or isinstance(family, str):
            return [" ".join(x for x in (given, family) if isinstance(x, str))]
    return []


def _first_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((s for s in map(_first_str, value) if s), None)
    if isinstance(value, dict):
        return _first_str(value.get("url") or value.get("@id") or value.get("name"))
    return None


# ---- authors


def clean_authors(names: Iterable[str]) -> list[str]:
    """Author names: "By", "u/", URLs, handles and e-mail addresses dropped, lists split ("A, B and C"), the
    same name once."""
    out: list[str] = []
    for raw in names:
        raw = " ".join(str(raw).split())
        if not raw or _URLISH.search(raw) or "@" in raw[1:] or len(raw) > 200 or _NOT_AUTHOR.match(raw):
            continue
        raw = re.sub(r"^(?:by|written by|posted by|von|par|por)\s*:?\s+|^u/", "", raw, flags=re.I).lstrip("@")
        raw = re.sub(r"^(\S+) \(\1\)$|^(\S+) (\w)$", _one_handle, raw)  # "pelex (pelex)", "JosephF J" (an avatar)
        for name in re.split(r"\s*(?:,|;|\band\b|&|\bund\b|\bi\b|\bи\b|\bκαι\b|、|，)\s*", raw):
            name = _AFTER_NAME.sub("", name).strip(" .|-–—")
            if 2 <= len(name) <= 80 and name[0].isalpha() and name.lower() not in {x.lower() for x in out}:
                out.append(name)
    return out[:MAX_AUTHORS]


def _one_handle(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1)
    handle, initial = m.group(2), m.group(3)
    return handle if handle[0].lower() == initial.lower() else m.group(0)


# ---- the stage


def read_metadata(declared: Declared, url: str | None = None, bylines: Sequence[str] = (),
                  published: Sequence[str] | Callable[[], Sequence[str]] = (),
                  nearby: Sequence[str] | Callable[[], Sequence[str]] = (),
                  around: Sequence[tuple[str, bool]] | Callable[[], Sequence[tuple[str, bool]]] = (),
                  today: date | None = None) -> Metadata:
    """The page's metadata from its declarations, its byline lines, its lines that label a publication
    date (`published`: "Posted on May 3, 2024"), its URL and, for what is found nowhere else, the short
    lines `nearby` its content's start (a date) and the short lines `around` it, nearest first, with
    whether each is in an author/date container (an author: "Written by Jane Doe", or a name alone in
    such a container). `published`, `nearby` and `around` may be functions, called only when needed."""
    meta = Metadata()
    found: dict[str, list[tuple[str, Any]]] = {}  # field → (source, value), most trusted first

    def offer(name: str, source: str, value: Any) -> None:
        if value:
            found.setdefault(name, []).append((source, value))

    for obj in _ld_objects(declared.scripts):
        types = _types(obj)
        if types & ARTICLE_TYPES:
            author = obj.get("author") or obj.get("creator")
            offer("authors", "json-ld", _names(author, organizations=False))
            offer("organization", "json-ld", _names(author))
            offer("date_published", "json-ld", _first_str(obj.get("datePublished") or obj.get("dateCreated")
                                                          or obj.get("uploadDate")))
            offer("date_modified", "json-ld", _first_str(obj.get("dateModified")))
            offer("description", "json-ld", _first_str(obj.get("description")))
            offer("image", "json-ld", _first_str(obj.get("image") or obj.get("thumbnailUrl")))
            keywords = obj.get("keywords")
            offer("tags", "json-ld", keywords.split(",") if isinstance(keywords, str) else
                  [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else None)
            publisher = obj.get("publisher")
            offer("site_name", "json-ld", _names(publisher)[0] if _names(publisher) else None)
        elif types & {"website", "organization", "newsmediaorganization"}:
            offer("site_name", "json-ld", _first_str(obj.get("name")))
    metas = declared.metas
    by_key: dict[str, list[str]] = {}
    for name, prop, itemprop, content in metas:
        for key in (name, prop, itemprop):
            if key:
                by_key.setdefault(key.strip().lower(), []).append(content)
    for source, keys, name in _META_FIELDS:
        for key in keys:
            values = by_key.get(key, [])
            if name in ("authors", "tags"):  # (one <meta> per author: all of them)
                offer(name, source, values)
            else:
                for value in values:
                    offer(name, source, value)
    for key, labels in by_key.items():  # twitter:labelN "Written by" beside twitter:dataN (the name)
        if key.startswith("twitter:label") and any(WRITTEN_BY.match(label) for label in labels):
            offer("authors", "meta:twitter", by_key.get("twitter:data" + key.removeprefix("twitter:label"), [])[:1])
    for key, values in by_key.items():  # other names that say "date" or "published" ("cludo:date", "ms.date")
        if ("date" in key or "publish" in key) and _OTHER_DATE_KEY.search(key) \
                and not _NOT_PUBLISHED_KEY.search(key):
            for value in values:
                offer("date_published", "meta:other", value)
    for prop, value in declared.props:
        key = prop.strip().lower()
        if key in ("datepublished", "datecreated"):
            offer("date_published", "microdata", value)
        elif key == "datemodified":
            offer("date_modified", "microdata", value)
        elif key in ("author", "creator"):
            offer("authors", "microdata", [element_name(value)])
    for stamp, text in declared.times:
        offer("date_published", "time", stamp or text)
    for line in bylines:
        m = _BYLINE_AUTHOR.match(line)
        if m and len(line) <= 200:
            offer("authors", "byline", [m.group(1)])
        offer("date_published", "byline", line if len(line) <= 200 else None)
    if not any(_usable("date_published", v, today) for _, v in found.get("date_published", ())):
        for line in published() if callable(published) else published:  # ("Published: May 3, 2024")
            offer("date_published", "label", line)
    offer("authors", "link", clean_authors([element_name(text) for text in declared.author_links]))
    if url:
        m = _URL_DATE.search(url)
        if m:
            offer("date_published", "url", "-".join(m.groups()))
    resolved: dict[str, tuple[str, Any] | None] = {}

    def best(name: str) -> tuple[str, Any] | None:
        """The first of `name`'s candidates that gives a usable value, as (source, value)."""
        if name not in resolved:
            resolved[name] = next(((source, v) for source, value in found.get(name, ())
                                   if (v := _usable(name, value, today))), None)
        return resolved[name]

    if best("date_published") is None:  # (what nothing above offers: a date near the content's start)
        for line in nearby() if callable(nearby) else nearby:
            if (day := parse_date(line, today)) is not None:
                resolved["date_published"] = ("text", day)
                break
    if best("authors") is None:
        for line, hinted in around() if callable(around) else around:
            if not hinted and _BY_WORD.search(line) is None:
                continue
            m = _BYLINE_AUTHOR.match(line) if _BY_FIRST.match(line) else \
                _POST_BY.match(line) or _BY_ANYWHERE.search(line)
            if m and not _NOT_BY.search(line, 0, m.start(1)) and _could_be_name(m.group(1)):
                name = m.group(1)
            else:
                name = line if hinted and _looks_like_name(line) else None
            if name and (names := clean_authors([name])):
                resolved["authors"] = ("text", names)
                break
        else:
            resolved["authors"] = best("organization")  # an organization as the author, at last
    for rel, href in declared.links:
        if "canonical" in rel.split():
            offer("canonical_url", "link", href)
    offer("language_declared", "html", declared.lang)
    chosen, (source, last) = best("date_published"), found.get("date_published", [("", "")])[-1]
    url_day = parse_date(last, today) if source == "url" else None
    if chosen and url_day and len(chosen[1]) > 10 and abs(date.fromisoformat(chosen[1][:10])
                                                    - date.fromisoformat(url_day)).days == 1:
        resolved["date_published"] = ("url", url_day)  # (a timestamp in UTC a day off the URL's: the page's day)
    for name in [*found, "date_published", "authors"]:
        if name != "organization" and (hit := best(name)) is not None:
            setattr(meta, name, hit[1])
            meta.sources[name] = hit[0]
    return meta


def element_name(text: str) -> str:
    """An author element's text (its text nodes one a line): the whole, when it reads as a name, else
    its first text node that does once a label ("Written by", "View all posts by") is cut off
    ("Written By / Reyan Perumal / Reyan Perumal is a content writer at ...")."""
    whole = " ".join(text.replace("\n", "").split())
    if "\n" not in text or len(whole.split()) == 1 or _looks_like_name(whole) or _NOT_AUTHOR.match(whole):
        return whole  # (an "Updated by" element stays whole, to be refused)
    for piece in text.split("\n"):
        piece = _ELEMENT_LABEL.sub("", " ".join(piece.split()))
        if len(piece) >= 2 and (_looks_like_name(piece) or len(piece.split()) == 1 and _could_be_name(piece)):
            return piece
    return whole


def _looks_like_name(line: str) -> bool:
    return bool(_NAME.match(line)) and _could_be_name(line)


def _could_be_name(text: str) -> bool:
    """Not a lower-case phrase ("by the way") nor a word of a site's menus ("By Industry")."""
    words = text.split()
    return bool(words) and (text[0].isupper() or len(words) == 1) and not _NOT_NAMES & {w.lower() for w in words}


def _usable(name: str, value: Any, today: date | None) -> Any:
    """One candidate value of field `name` as the Metadata holds it, or None when it is unusable."""
    if name in ("date_published", "date_modified"):
        return parse_date(value if isinstance(value, str) else None, today)
    if name in ("authors", "organization"):
        return clean_authors(value)
    if name == "tags":
        return list(dict.fromkeys(t for t in (" ".join(part.split()) for x in value
                                              for part in str(x).split(",")) if t))[:50]
    if isinstance(value, str):
        return " ".join(value.split())[:MAX_FIELD_CHARS] or None
    return value


_META_FIELDS: list[tuple[str, tuple[str, ...], str]] = [  # (source, <meta> keys, field), most trusted first
    ("meta:article", ("article:published_time", "og:article:published_time", "article:published"), "date_published"),
    ("meta:article", ("article:modified_time", "og:updated_time", "article:modified"), "date_modified"),
    ("meta:article", ("article:author",), "authors"),
    ("meta:article", ("article:tag", "article:section"), "tags"),
    ("meta:og", ("og:site_name",), "site_name"),
    ("meta:og", ("og:description",), "description"),
    ("meta:og", ("og:image", "og:image:url", "og:image:secure_url"), "image"),
    ("meta:og", ("og:url",), "canonical_url"),
    ("meta:twitter", ("twitter:description",), "description"),
    ("meta:twitter", ("twitter:image", "twitter:image:src"), "image"),
    ("meta:dc", ("dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created", "dc.date.created"),
     "date_published"),
    ("meta:dc", ("dc.creator", "dcterms.creator"), "authors"),
    ("meta", ("author", "sailthru.author", "parsely-author", "byl", "citation_author"), "authors"),
    ("meta", ("pubdate", "publishdate", "publish-date", "publish_date", "date", "sailthru.date", "parsely-pub-date",
              "citation_publication_date", "citation_date", "article.published", "published_time", "datepublished",
              "release_date"), "date_published"),
    ("meta", ("lastmod", "last-modified", "modified_time", "article.updated", "datemodified"), "date_modified"),
    ("meta", ("description",), "description"),
    ("meta", ("keywords", "news_keywords"), "tags"),
    ("meta", ("application-name",), "site_name"),
    ("meta", ("content-language", "language", "dc.language"), "language_declared"),
]
