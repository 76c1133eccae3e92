"""What a link or an upload carries is shown as text, never as markup: no link, image, HTML,
colour, maths or icon made from it, on every model page.

Two views of the same rule: every string of every element a hostile link produces (AppTest: alerts,
captions, markdown, labels, help, values) holds the payload only escaped; and in Chromium the
rendered page has no link or image pointing where the payload points, loads nothing from there,
and shows the payload's words. Uploads get the same check in test_uploads.py."""
import re
from urllib.parse import urlsplit
from pathlib import Path

import pytest

from tests.tiers import variants
from streamlit.testing.v1 import AppTest

from engine import warm_up
from tests.hosted.pages import ROOT, model_pages

PAGES = model_pages()
EVIL = "evil.example"
PAYLOADS = ["[Log in](https://evil.example/p)", "![i](https://evil.example/x.png)",
            "<img src=//evil.example/y.png>", "https://evil.example/a", "www.evil.example",
            "mail@evil.example", ":red[evil.example]", "$evil.example$", "**evil.example**",
            ":material/evil.example:", "<a href=//evil.example>x</a>"]


def hostile_query(settings_class):
    """Every field of the page and a few unknown keys, each carrying markup."""
    params = {f.url: PAYLOADS[i % len(PAYLOADS)] for i, f in enumerate(settings_class.FIELDS.values())}
    params.update({p[:28]: "1" for p in PAYLOADS[:3]})
    return params


def unescaped_markup(text):
    """Markup left in ``text`` once its backslash-escaped characters are taken out."""
    bare = re.sub(r"\\.", "", text, flags=re.S)
    return re.findall(r"\]\(|!\[|<[A-Za-z/!]|[a-z]+://|www\.|(?<!\u2060)@evil|:\w+\[|\$[^$]*\$|:material/", bare)


def _strings(message, out):
    for _, value in message.ListFields():
        repeated = not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields") \
            and hasattr(value, "__iter__")
        for v in (value if repeated else [value]):
            if isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                _strings(v, out)


def element_strings(node, out=None):
    out = [] if out is None else out
    if getattr(node, "proto", None) is not None and hasattr(node.proto, "ListFields"):
        _strings(node.proto, out)
    for child in getattr(node, "children", {}).values():
        element_strings(child, out)
    return out


@pytest.fixture(scope="module", autouse=True)
def warm_engine():
    warm_up()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_a_hostile_link_shows_its_payload_escaped_everywhere(page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page.file)
    for k, v in hostile_query(page.settings).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [t for t in element_strings(at._tree) if "evil" in t]
    assert any("Log in" in t for t in texts), "the notices do not show the link's values"
    offending = [(t[:120], unescaped_markup(t)) for t in texts if unescaped_markup(t)]
    assert not offending, offending


def test_the_check_finds_markup():
    assert unescaped_markup("see [Log in](https://evil.example/p)")
    assert unescaped_markup("<img src=//evil.example/y.png>") and unescaped_markup(":red[evil]")
    from ui.text import plain
    for p in PAYLOADS:
        assert not unescaped_markup(plain(f"'x': '{p}' is not one of a, b"))


@pytest.mark.e2e
@pytest.mark.parametrize("page", variants(PAGES[:2], PAGES[2:]), ids=lambda p: p.path)
def test_a_hostile_link_renders_no_link_image_or_request(app_server, chromium, page):
    url, _ = app_server
    from urllib.parse import urlencode
    requests = []
    tab = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        tab.on("request", lambda r: requests.append(r.url) if EVIL in (urlsplit(r.url).hostname or "") else None)
        tab.goto(f"{url}/{page.path}?{urlencode(hostile_query(page.settings))}")
        tab.wait_for_selector("[data-testid=stAlert]", timeout=120_000)
        tab.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
        tab.wait_for_timeout(500)
        made = tab.evaluate("""(evil) => [...document.querySelectorAll('a, img, iframe, source, [style]')]
            .map(e => (e.getAttribute('href') || '') + ' ' + (e.getAttribute('src') || '')
                      + ' ' + (e.getAttribute('style') || ''))
            .filter(s => s.includes(evil) || s.includes('mailto:'))""", EVIL)
        alerts = " ".join(tab.locator("[data-testid=stAlert]").all_inner_texts()).replace("\u2060", "")
        shot = Path(__file__).parent / "screenshots"
        shot.mkdir(exist_ok=True)
        tab.screenshot(path=str(shot / f"hostile-link-{page.path}.png"))
        assert not made, made
        assert not requests, requests
        assert "[Log in](https://evil.example/p)" in alerts, alerts[:500]       # shown as the words it is
        assert tab.locator("[data-testid=stException]").count() == 0
    finally:
        tab.close()
