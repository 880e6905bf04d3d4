"""Shared fixtures: paths to the project's labeled articles and small made-up pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: a quick pass in the suite; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs many more examples.
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")), deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
LABELED = ROOT / "labeled"


@pytest.fixture
def labeled_dir() -> Path:
    return LABELED


@pytest.fixture
def seed_text() -> str:
    return (LABELED / "003_99a058014c38c513.txt").read_text(encoding="utf-8")


ARTICLE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>稀土協議簽署 美澳合作 - 新聞網</title>
<script>var tracking = "不應出現";</script><style>.x{color:red}</style></head>
<body>
<div class="nav-menu"><a href="/">首頁</a> | <a href="/intl">國際</a> | <a href="/fin">財經</a></div>
<div class="article-content">
<h1>稀土協議簽署 美澳合作</h1>
<p>美國總統與澳洲總理在白宮簽署關鍵礦產協議，內容包括兩國將在六個月內各自投入十億美元，共同開採與加工關鍵礦物，以降低對中國稀土的依賴。</p>
<p>白宮聲明指出，這筆投資鎖定約值五百三十億美元的關鍵礦產儲藏，涵蓋稀土、鎵與其他戰略性資源，雙方也同意加快審批程序。</p>
<p>澳洲方面強調，他們將自行負擔開銷，並預計從明年起為美軍潛艦提供維修支援，進一步強化兩國在印太地區的合作關係。</p>
</div>
<div class="related"><h3>相關新聞</h3><ul>
<li><a href="/1">川普稱將討論台灣議題</a></li><li><a href="/2">美股收高 台積電ADR漲近1％</a></li>
<li><a href="/3">颱風共伴效應發威 雨勢緩和時間點曝</a></li></ul></div>
<div id="footer">© 2025 新聞網 版權所有 非經授權不得轉載</div>
</body></html>"""


@pytest.fixture
def article_html() -> str:
    return ARTICLE_HTML


@pytest.fixture(scope="session")
def gazette_pages() -> list[str]:
    """Four pages of one news site, each ending with the same "about us" paragraph the model keeps."""
    about = ("The Example Gazette is an independent daily newspaper that has reported on the city, its council "
             "and its schools since 1901, and it is owned by its readers.")
    pages = []
    for n in range(4):
        body = " ".join(f"Sentence {n}-{k} on the council budget and the long debate that followed." for k in range(8))
        pages.append(f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1><p>{body}</p>"
                     f"<p>{about}</p></article></body></html>")
    return pages
