"""Every model page explains itself (issue 16): each widget has help (the '?' beside it), paused tools
included, and the page's "What am I seeing?" sits in its header, above Play, not at the bottom."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

import engine
from tests.hosted.pages import model_pages

APP = str(Path(__file__).resolve().parents[3] / "app.py")
QUICK = {"mlp": {}, "cnn": {"data": "bars"}, "rnn": {"task": "parity", "units": "4"}, "autoencoder": {"data": "bars"}}
WIDGETS = ("button", "download_button", "toggle", "slider", "select_slider", "selectbox", "number_input", "radio",
           "button_group", "multiselect", "checkbox", "text_input", "text_area", "color_picker", "date_input")
PAGES = model_pages()


def in_order(node):
    """The page's elements and blocks in the order they are drawn."""
    yield node
    for k in sorted(getattr(node, "children", None) or {}):
        yield from in_order(node.children[k])


def paused_page(page, query):
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params.update(query)
    at.run()
    engine.warm_up(families=engine.families(at.session_state[f"{page}_run"].settings.spec()))
    at.run()
    at.button(key=f"{page}_step").click().run()         # the paused tools: rewind, downloads, look closer
    at.session_state[f"{page}_look_closer"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# Widgets a page shows only in one of its states (issue 20: the Transfer comparison, the own text and series)
STATES = [("cnn", {"data": "digits04", "filters": "2,4", "kernels": "3,3", "tl": "digits59"}),
          ("rnn", {"task": "text", "units": "4", "len": "8"}), ("rnn", {"task": "series", "units": "4", "len": "8"})]


@pytest.mark.parametrize("page, query", STATES, ids=lambda v: v if isinstance(v, str) else "-".join(v.values()))
def test_the_widgets_of_a_pages_other_states_have_help(page, query):
    at = paused_page(page, query)
    missing = [f"{kind} {getattr(w, 'label', '')!r} ({getattr(w, 'key', '')})" for kind in WIDGETS
               for w in at.get(kind) if not getattr(w, "help", None)]
    assert not missing, missing


@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_every_widget_has_help_and_the_explanation_opens_from_the_top(page):
    at = paused_page(page, QUICK.get(page, {}))
    widgets = [(kind, w) for kind in WIDGETS for w in at.get(kind)]
    assert len(widgets) > 10
    missing = [f"{kind} {getattr(w, 'label', '')!r} ({getattr(w, 'key', '')})" for kind, w in widgets
               if not getattr(w, "help", None)]
    assert not missing, missing
    order = list(in_order(at.main))
    explain = [i for i, n in enumerate(order) if type(n) is Block and n.proto is not None
               and n.proto.DESCRIPTOR.name == "Block" and n.proto.WhichOneof("type") == "popover"
               and n.proto.popover.label == "What am I seeing?"]
    play = [i for i, n in enumerate(order) if getattr(n, "type", "") == "button" and n.label in ("Play", "Pause")]
    assert explain and play and explain[0] < play[0], (explain, play)
    text = " ".join(n.value for n in in_order(order[explain[0]]) if getattr(n, "type", "") == "markdown")
    description = next(p.description for p in PAGES if p.path == page)
    assert len(text) > 200 and text.strip() == description.explanation.strip()
