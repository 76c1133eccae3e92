"""Hostile uploads on every model page, in Chromium: each file uploader the page shows gets the
files its type invites (empty, renamed binary, oversized, corrupt, NaN/Inf, a decompression bomb,
markup in the name and the content). Each must bring a clear message, leave the run as it was
(same Step, same link), render nothing as markup, and raise nothing."""
import io
import os
import struct
from types import SimpleNamespace
from urllib.parse import urlsplit
import zlib
from pathlib import Path

import pytest

from tests.tiers import variants

from tests.hosted.pages import model_pages

pytestmark = pytest.mark.e2e
PAGES = model_pages()
EVIL_NAME = "[Log in](https://evil.example/p) <img src=x>"
RNG = os.urandom


def _png(width, height, rows=None, color_type=0, depth=8):
    """A PNG of ``width`` x ``height`` (grey); ``rows`` raw scanlines (default: all zero)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    if rows is None:
        line = b"\0" + bytes((width * depth + 7) // 8)
        comp = zlib.compressobj(9)
        body = b"".join(comp.compress(line) for _ in range(height)) + comp.flush()
    else:
        body = zlib.compress(rows, 9)
    head = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def hostile_files(ext):
    """(what, file name, bytes) for an uploader that takes ``ext`` files."""
    files = [("empty file", f"empty{ext}", b""),
             ("renamed binary", f"program{ext}", b"\x7fELF" + RNG(20_000)),
             ("markup in the name", f"{EVIL_NAME}{ext}", b"<img src=https://evil.example/z.png>\n" + RNG(64)),
             ("oversized", f"big{ext}", b"x" * (6 * 2**20))]
    if ext == ".csv":
        files += [("NaN and Inf", "nan.csv", b"x1,x2,label\n0,0,1\nnan,1,-1\n1,inf,1\n2,2,-1\n3,3,1\n"),
                  ("overflowing numbers", "huge.csv", b"x1,x2,label\n" + b"1e400,-1e308,1\n1e308,1e308,-1\n" * 3),
                  ("header only", "header.csv", b"x1,x2,label\n"),
                  ("not UTF-8", "latin.csv", "x1,x2,label\n0,0,\xe9\n".encode("latin-1") * 5),
                  ("markup in the cells", "cells.csv",
                   b"x1,x2,label\n[a](https://evil.example),0,1\n1,1,-1\n2,2,1\n3,3,-1\n"),
                  ("too many rows", "rows.csv", b"x1,x2,label\n" + b"0.1,0.2,1\n0.3,0.4,-1\n" * 9000)]
    elif ext in (".png", ".jpg", ".jpeg"):
        bomb = _png(30_000, 30_000, depth=1)                  # 900 million pixels in a small file
        files += [("decompression bomb", "bomb.png", bomb),
                  ("truncated image", "cut.png", _png(64, 64)[:60]),
                  ("a GIF renamed", "anim.png", b"GIF89a" + RNG(500)),
                  ("an SVG renamed", "vector.png", b"<svg xmlns='http://www.w3.org/2000/svg'><image href="
                                                   b"'https://evil.example/s.png'/></svg>"),
                  ("blank image", "blank.png", _png(28, 28))]
    elif ext == ".txt":
        files += [("not UTF-8", "latin.txt", "caf\xe9 ".encode("latin-1") * 100),
                  ("NUL bytes", "nul.txt", b"\0" * 5000),
                  ("markup text", "md.txt", b"[Log in](https://evil.example/p) ![i](https://evil.example/i.png)\n" * 50)]
    assert all(len(data) < 8 * 2**20 for _, _, data in files)
    return files


def _state(tab):
    """(Step shown, the page's link)."""
    step = tab.evaluate("""() => { for (const m of document.querySelectorAll('[data-testid=stMetric]'))
        if (m.innerText.startsWith('Step')) return m.querySelector('[data-testid=stMetricValue]').innerText;
        return null; }""")
    return step, tab.url


def _idle(tab):
    tab.wait_for_timeout(300)
    tab.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)


def _open_expanders(tab):
    """Uploaders may sit in collapsed expanders (the MLP's own points)."""
    for summary in tab.locator("[data-testid=stExpander] summary").all():
        if "uploader" in (summary.get_attribute("aria-label") or "") or summary.is_visible():
            details = summary.locator("xpath=..")
            if details.get_attribute("open") is None:
                summary.click()
    _idle(tab)


def _markup(tab):
    return tab.evaluate("""() => [...document.querySelectorAll('a, img, iframe, svg image')]
        .map(e => (e.getAttribute('href') || '') + (e.getAttribute('src') || ''))
        .filter(s => s.includes('evil'))""")


# Uploaders a page shows only for one of its settings: the RNN page's own text and own series. Their files
# of every kind (empty, renamed binary, markup in the name, oversized) reach the same checks as the other
# pages' uploaders: by default these, and a page's second and later uploaders, get only the files of their
# own type (NNP_FULL=1: all; the CNN page's four uploaders took 184 s at a load of 20).
EXTRA_PATHS = ["rnn?task=text", "rnn?task=series"]
PATHS = [p.path for p in PAGES] + EXTRA_PATHS
GENERIC = ("empty file", "renamed binary", "markup in the name", "oversized")
# Files that are good content for an uploader of their kind: a text with markup in it is a text to learn (it
# must still be shown as text, named in a message); it becomes the run's data, so the run changes.
ACCEPTED = {(".txt", "markup text")}


# the default run: the CNN page (pictures, symbols, a model file) and the RNN page's text; NNP_FULL=1: all
@pytest.mark.parametrize("path", variants(["cnn", "rnn?task=text"], [p for p in PATHS if p not in ("cnn", "rnn?task=text")]))
def test_hostile_uploads_bring_a_message_and_change_nothing(app_server, chromium, path):
    page = SimpleNamespace(path=path)
    url, _ = app_server
    tab = chromium.new_page(viewport={"width": 1400, "height": 1000})
    requests = []
    tab.on("request", lambda r: requests.append(r.url) if "evil" in (urlsplit(r.url).hostname or "") else None)
    try:
        tab.goto(f"{url}/{page.path}")
        tab.wait_for_selector("[data-testid=stMetricValue]", timeout=180_000)
        _idle(tab)
        _open_expanders(tab)
        uploaders = tab.locator("[data-testid=stFileUploader]").count()
        if uploaders == 0:
            pytest.skip(f"/{page.path} has no file uploader")
        problems = []
        for u in range(uploaders):
            accept = tab.locator("[data-testid=stFileUploader] input[type=file]").nth(u).get_attribute("accept") or ""
            ext = next((a.strip().lower() for a in accept.split(",") if a.strip().startswith(".")), ".bin")
            for what, name, data in hostile_files(ext):
                if what in GENERIC and (path in EXTRA_PATHS or u > 0) and not os.environ.get("NNP_FULL"):
                    continue              # by default the generic files reach a page's first uploader only
                before = _state(tab)
                box = tab.locator("[data-testid=stFileUploader]").nth(u)
                box.locator("input[type=file]").set_input_files(
                    files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])
                _idle(tab)
                tab.wait_for_timeout(700)
                _idle(tab)
                alerts = " ".join(tab.locator("[data-testid=stAlert]").all_inner_texts()).replace("\u2060", "")
                box_text = " ".join(tab.locator("[data-testid=stFileUploader]").nth(u).all_inner_texts())
                if tab.locator("[data-testid=stException]").count():
                    problems.append((what, "exception: " + tab.locator("[data-testid=stException]").first.inner_text()[:200]))
                elif _state(tab) != before and (ext, what) not in ACCEPTED:
                    problems.append((what, f"changed the run: {before} -> {_state(tab)}"))
                elif not (name in alerts or what == "oversized" and "or smaller" in box_text):
                    problems.append((what, f"no message about {name!r}: {alerts[-300:]!r} {box_text[-200:]!r}"))
                elif "Traceback" in alerts or "Error:" in alerts:
                    problems.append((what, f"a raw error: {alerts[-300:]!r}"))
                if _markup(tab):
                    problems.append((what, f"markup rendered: {_markup(tab)}"))
        shots = Path(__file__).parent / "screenshots"
        shots.mkdir(exist_ok=True)
        tab.screenshot(path=str(shots / f"uploads-{page.path.replace('?', '-').replace('=', '-')}.png"),
                       full_page=True)
        assert not requests, requests
        assert not problems, problems
    finally:
        tab.close()


def test_the_bomb_is_small_and_huge():
    data = _png(30_000, 30_000, depth=1)
    assert len(data) < 2**20
    from PIL import Image
    with pytest.raises(Image.DecompressionBombError):        # 900 million pixels
        Image.open(io.BytesIO(data))
