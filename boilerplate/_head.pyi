"""Types of the compiled head reader (_head.pyx): <base href>, titles and declared metadata."""

from lxml.etree import _Element

class Meta:
    """The page's declarations, gathered during the walk."""

    def __init__(self, max_script_chars: int) -> None: ...
    def result(self, root: _Element) -> tuple[list[tuple[str | None, str | None, str | None, str]], list[str],
                                              list[tuple[str | None, str]], list[tuple[str, str]],
                                              list[tuple[str, str]], str | None, list[str]]: ...

def base_href(root: _Element) -> str | None: ...
def page_titles(root: _Element) -> tuple[str, str]: ...
