"""Hostile links against the real app: each opens a page and must give a working page (Play,
no exception) showing every notice the link deserves, as plain text; the server stays healthy.

A few links a page in the normal suite; ``NNP_FUZZ_FULL=1`` runs 500 a page (a few minutes).
Sessions open four at a time (browserless, bench/_streamlit_client.py)."""
import asyncio
import os
import random
import sys
import urllib.request

import pytest

from tests.hosted.fuzz import hostile_link, query_dict
from tests.hosted.harness import run_coroutine
from tests.hosted.pages import ROOT, model_pages
from ui.text import plain
from ui.url import decode

sys.path.insert(0, str(ROOT / "bench"))
from _streamlit_client import Session  # noqa: E402

PAGES = model_pages()
QUICK, FULL = 6, 500
PARALLEL = 4


async def open_page(url, path, query, timeout=120):
    """What a first visit to ``/path?query`` shows: exceptions, alert texts, whether Play is there."""
    s = Session(url, path, query)
    try:
        await s.connect()
        await s.wait_for(lambda: s.full_runs_finished, timeout)
        return {"exceptions": [e.body.message or e.body.type for e in s.elements("exception")],
                "alerts": [e.body.body for e in s.elements("alert")],
                "play": bool(s.find("button", "Play") or s.find("button", "Pause")),
                "errors": list(s.errors)}
    finally:
        await s.close()


async def open_all(url, path, queries):
    gate = asyncio.Semaphore(PARALLEL)

    async def one(q):
        async with gate:
            try:
                return await open_page(url, path, q)
            except Exception as e:          # noqa: BLE001 - reported with its link
                return {"failed": f"{type(e).__name__}: {e}"}
    return await asyncio.gather(*(one(q) for q in queries))


def healthy(url):
    with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
        return r.status == 200


def alive(pid):
    return os.path.exists(f"/proc/{pid}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_hostile_links_give_a_working_page_with_their_notices(app_server, page, fuzz_full):
    url, pid = app_server
    rng = random.Random(f"server-{page.path}")
    cases = [hostile_link(page.settings, rng) for _ in range(FULL if fuzz_full else QUICK)]
    failures = []
    for start in range(0, len(cases), 50):
        batch = cases[start:start + 50]
        for (query, must_notice), got in zip(batch, run_coroutine(open_all(url, page.path, [q for q, _ in batch]))):
            notices = [plain(n) for n in decode(query_dict(query), page.settings)[1]]
            problems = ([got["failed"]] if "failed" in got else
                        got["exceptions"] + got["errors"] + ([] if got["play"] else ["no Play button"])
                        + [f"notice not shown: {n}" for n in notices if n not in got["alerts"]]
                        + (["no notice"] if must_notice and not got["alerts"] else []))
            if problems:
                failures.append((query, problems[:3]))
        assert healthy(url) and alive(pid), f"server unhealthy after {start + len(batch)} links"
    assert not failures, f"{len(failures)} of {len(cases)} links failed, first: {failures[:3]}"
