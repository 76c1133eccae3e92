"""Every model page's settings against hostile input, without a server (fast): 500 hostile links a
page through the link codec, and hostile widget values through the run's guard."""
import inspect
import math
import random
from dataclasses import replace

import pytest

from engine.spec import validate
from tests.hosted.fuzz import hostile_link, query_dict, within_bounds
from tests.hosted.pages import model_pages
from ui.run import Run
from ui.url import bounded, decode

PAGES = model_pages()
LINKS_PER_PAGE = 500


def test_the_pages_are_found():
    assert "mlp" in [p.path for p in PAGES]


def _spec(settings):
    """The engine spec of ``settings`` when the page's settings make one without arguments."""
    spec = getattr(settings, "spec", None)
    if spec is None or any(p.default is p.empty for p in inspect.signature(spec).parameters.values()):
        return None
    return spec()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_hostile_links_give_settings_in_bounds_and_say_what_was_wrong(page):
    rng = random.Random(f"links-{page.path}")
    noticed = 0
    for _ in range(LINKS_PER_PAGE):
        query, must_notice = hostile_link(page.settings, rng)
        settings, notices = decode(query_dict(query), page.settings)
        assert isinstance(settings, page.settings), query
        assert within_bounds(settings) == [], (query, within_bounds(settings))
        assert bounded(settings) == (settings, []), query        # nothing left for the server's guard
        assert settings.normalise() == settings, query
        if must_notice:
            assert notices, query
        noticed += bool(notices)
        assert all(isinstance(n, str) and len(n) < 300 for n in notices), notices
        spec = _spec(settings)
        if spec is not None:
            validate(spec)                                       # the engine accepts it
    assert noticed > LINKS_PER_PAGE // 2


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_a_flood_of_bad_parameters_gives_a_short_list_of_notices(page):
    params = {f"k{i}": "x" for i in range(2000)} | {f.url: "nan" for f in page.settings.FIELDS.values()}
    settings, notices = decode(params, page.settings)
    assert settings == page.settings().normalise() or within_bounds(settings) == []
    assert 1 <= len(notices) <= 12 and "more" in notices[-1], notices[-3:]


def _hostile_typed(f, rng):
    """A widget value a crafted websocket message could carry for field ``f``, bad for any field."""
    if f.kind in ("ints", "floats", "choices", "multi"):
        junk = [rng.choice([10**9, -5, "zz", math.nan, None, 2.5, True]) for _ in range(rng.randrange(0, 60))]
        return tuple(junk + [rng.choice([10**9, "zz", math.nan])])
    return rng.choice([10**12, -10**12, math.nan, math.inf, None, "evil", "<b>x</b>", ("x",) * 50])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_hostile_widget_values_are_bounded_by_the_run_with_a_notice(page):
    rng = random.Random(f"widgets-{page.path}")
    run = page.description.run_class(page.settings(), build=False)
    assert issubclass(page.description.run_class, Run)
    fields = list(page.settings.FIELDS.items())
    for _ in range(300):
        changes = dict((name, _hostile_typed(f, rng)) for name, f in rng.sample(fields, rng.randrange(1, 4)))
        hostile = replace(page.settings(), **changes)
        notices = run.update(hostile)
        assert within_bounds(run.settings) == [], (changes, within_bounds(run.settings))
        assert notices, changes
        spec = _spec(run.settings)
        if spec is not None:
            validate(spec)
