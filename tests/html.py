"""Read a page as a document, not as a string: CSS selectors over the parsed HTML.

An assertion such as ``"113" in html`` passes on any page that prints 113 anywhere (an id, a
year, a CSRF token); these helpers let a test name the element it means and compare its whole
text. The parser (tinyhtml5) and the selector engine (cssselect2) are the ones WeasyPrint reads
the certificate HTML with, so they come with the app's own dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

import cssselect2
import tinyhtml5
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, as a reader sees the text."""
    return " ".join(text.split())


def _text_of(element: Element) -> Iterator[str]:
    if not isinstance(element.tag, str):  # a comment: not shown
        return
    if element.tag == "br":
        yield " "
    if element.text:
        yield element.text
    for child in element:
        yield from _text_of(child)
        if child.tail:
            yield child.tail


class Node:
    """One element of a page."""

    def __init__(self, wrapper: cssselect2.ElementWrapper) -> None:
        self._wrapper = wrapper
        self.element = wrapper.etree_element

    @property
    def text(self) -> str:
        """The text a reader sees: whitespace collapsed, a line break (<br>) read as a space."""
        return squash("".join(_text_of(self.element)))

    @property
    def classes(self) -> set[str]:
        return set((self.element.get("class") or "").split())

    def attr(self, name: str) -> str | None:
        return self.element.get(name)

    def select(self, css: str) -> list[Node]:
        return [Node(found) for found in self._wrapper.query_all(css)]

    def one(self, css: str) -> Node:
        """The only element matching ``css``; fails the test when there are none or several."""
        found = self.select(css)
        assert len(found) == 1, f"{len(found)} elements match {css!r}, expected exactly 1"
        return found[0]

    def texts(self, css: str) -> list[str]:
        return [node.text for node in self.select(css)]

    def text_of(self, css: str) -> str:
        return self.one(css).text

    def __repr__(self) -> str:
        return f"<{self.element.tag} {dict(self.element.attrib)!r}: {self.text[:80]!r}>"


class Page(Node):
    """A whole HTML document."""

    def __init__(self, html: str) -> None:
        root = tinyhtml5.parse(html, namespace_html_elements=False)
        super().__init__(cssselect2.ElementWrapper.from_html_root(root))
        self.html = html

    def flashes(self, category: str | None = None) -> list[str]:
        """Texts of the flashed messages (``category``: error, success, warning, info)."""
        css = ".flashes .flash" + (f".flash-{category}" if category else "")
        return self.texts(css)

    def table_rows(self, css: str = "table") -> list[list[str]]:
        """The body rows of the only table matching ``css``, as lists of cell texts."""
        return [row.texts("td") for row in self.one(css).select("tbody tr")]


def page_of(response: TestResponse, status: int = 200) -> Page:
    assert response.status_code == status, (response.status_code, response.location)
    return Page(response.get_data(as_text=True))


def get_page(client: FlaskClient, url: str, status: int = 200) -> Page:
    """GET ``url`` and parse it; fails unless the answer has ``status``."""
    return page_of(client.get(url), status)
