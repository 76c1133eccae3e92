"""The one widget binder: a page's settings fields <-> Streamlit widgets.

Every widget of a field is drawn from its ``Field`` (ui/settings.py): bounds,
steps, choices, labels and help are read there, never retyped. The widget's
key is ``<page>_w_<field>`` (an item of a list field: ``<page>_w_<field>_<i>``,
the list's length: ``<page>_w_<count>``). Every change goes through ``apply``:
the run takes the settings (bounded, made consistent, with notices), the widgets
show what the run took, and the link says it.
"""
import math
import random
import time
from dataclasses import replace

import streamlit as st

from .state import current_run, key, link_params, say
from .url import LIST_KINDS

SCALAR_OF = {"ints": "int", "floats": "float", "choices": "choice"}
STALE_ECHO_SECONDS = 5.0     # how long after a redraw changed a widget its old value may still come back
                             # (2 s was too short on a machine at a load of 12: a click undone 2.5 s later)


class Widgets:
    """The widgets of one page's settings class."""

    def __init__(self, page, settings_class):
        self.page, self.fields = page, settings_class.FIELDS

    # -- keys and values ------------------------------------------------------------------------
    def key(self, name, item=None):
        return key(self.page, f"w_{name}" if item is None else f"w_{name}_{item}")

    def _bound(self):
        """The fields whose values live in widgets."""
        return {name: f for name, f in self.fields.items() if f.widget}

    def sync(self, settings):
        """Write settings into the widgets' state (from callbacks, or before the widgets are drawn).
        A count is the length of the first list field it counts (the table's order); the others of
        its group may be shorter (an empty per-layer list means "as all layers"), so their missing
        items are written as their default: no widget keeps an item the settings dropped."""
        ss, lengths = st.session_state, {}
        for name, f in self._bound().items():
            value = getattr(settings, name)
            if f.kind in LIST_KINDS and f.count:
                n = lengths.setdefault(f.count, len(value))
                ss[self.key(f.count)] = n
                for i in range(n):
                    ss[self.key(name, i)] = value[i] if i < len(value) else f.item_default
            else:
                ss[self.key(name)] = list(value) if f.kind == "multi" else value

    def read(self, current):
        """Settings from the widgets' state, ``current`` for whatever has no widget or a widget the user
        has not changed (``_changed``). The values are as the browser sent them: the run bounds them
        (a crafted message can send anything)."""
        values = {}
        for name, f in self._bound().items():
            old = getattr(current, name)
            if f.kind in LIST_KINDS and f.count:
                n = self._count(f, current)
                values[name] = tuple(self._value(self.key(name, i), old[i] if i < len(old) else f.item_default)
                                     for i in range(n))
            elif f.kind == "multi":
                value = self._value(self.key(name), old)
                values[name] = tuple(value) if isinstance(value, (list, tuple)) else value
            else:
                values[name] = self._value(self.key(name), old)
        return replace(current, **values)

    # A browser resends every widget's value with each rerun it asks for. After a canvas click changed
    # a setting inside the live fragment, the widgets outside it show the old value until the page
    # redraws them, and a rerun asked for meanwhile (a timer, the next click) brought that old value
    # back as a change: it undid the click (five clicks on "+" took a layer from 2 to 4 neurons).
    # So a widget's value counts only when it differs from what the widget was last drawn with, and
    # from what it showed in the last seconds before that (quick clicks: the browser may be a few
    # redraws behind): only then did the user change it.
    def _shown(self):
        """Widget key -> (the value it was last drawn with, [(a value drawn before, when it was
        replaced), ...] of the last STALE_ECHO_SECONDS)."""
        return st.session_state.setdefault(key(self.page, "widgets_shown"), {})

    def _changed(self, widget_key):
        """True when the browser's value of this widget is one the user chose, not a stale echo."""
        if widget_key not in st.session_state:
            return False
        value, shown = st.session_state[widget_key], self._shown().get(widget_key)
        if shown is None:
            return True
        drawn, before = shown
        now = time.monotonic()
        return value != drawn and not any(value == old and now - t < STALE_ECHO_SECONDS for old, t in before)

    def follow(self, widget_key, value, draw):
        """Draw a widget that shows a property of the settings (a preset box): ``draw()`` with its
        state set to ``value``. Its callback asks ``chosen`` whether the user picked what it sends."""
        st.session_state[widget_key] = value
        return self._drawn(widget_key, draw())

    def chosen(self, widget_key):
        """In a callback of a ``follow``-drawn widget: True when its value is the user's choice, not
        the value it showed before a canvas click changed the settings (a stale echo re-applied the
        preset and undid the click)."""
        if not self._changed(widget_key):
            return False
        self._shown()[widget_key] = (st.session_state[widget_key], [])    # the browser shows the user's pick
        return True

    def _value(self, widget_key, current):
        if not self._changed(widget_key):
            return current
        value = st.session_state[widget_key]
        self._shown()[widget_key] = (value, [])      # what the browser shows now: the user's choice
        return value

    def _drawn(self, widget_key, widget=None):
        """Note the value a widget was drawn with (what the browser will show); returns ``widget``.
        Called once the widget is out: a run stopped by the next click before it sent the widget
        leaves the browser showing the value before."""
        value, shown = st.session_state[widget_key], self._shown().get(widget_key)
        if shown is None:
            self._shown()[widget_key] = (value, [])
        elif shown[0] != value:
            now = time.monotonic()
            before = [(old, t) for old, t in shown[1] if now - t < STALE_ECHO_SECONDS][-8:]
            self._shown()[widget_key] = (value, before + [(shown[0], now)])
        return widget

    def _count(self, f, current):
        """The length of ``f``'s group: its count widget's value if the user changed it, else the
        length of the group's first list in ``current`` (the others may be shorter)."""
        default = len(getattr(current, next(n for n, g in self._bound().items() if g.count == f.count)))
        if not self._changed(self.key(f.count)):
            return default
        n = st.session_state[self.key(f.count)]
        self._shown()[self.key(f.count)] = (n, [])
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n):
            return default
        return int(min(max(n, f.min_items), f.max_items))

    # -- changes --------------------------------------------------------------------------------
    def apply(self, settings):
        """Make ``settings`` current: the run takes them (bounded, consistent; reset if needed), the
        widgets and the link show what it took, and what had to change is said."""
        run = current_run(self.page)
        for note in run.update(settings):
            say(self.page, note, "warning")
        self.sync(run.settings)
        st.query_params.from_dict(link_params(self.page, run.settings))

    def changed(self):
        """The callback of every widget: the settings from the widgets, applied."""
        self.apply(self.read(current_run(self.page).settings))

    def set(self, **changes):
        """Apply the current settings with ``changes`` (buttons and canvas events)."""
        self.apply(replace(current_run(self.page).settings, **changes))

    # -- drawing ------------------------------------------------------------------------------
    def draw(self, name, where=None, **options):
        """The widget of field ``name`` in ``where`` (a column or container; the page by default).
        ``options`` override the field's label, help or label_visibility."""
        f = self.fields[name]
        where = where or st
        settings = current_run(self.page).settings
        if f.shown and not f.shown(settings):
            return None
        self._ensure(self.key(name), list(getattr(settings, name)) if f.kind == "multi" else getattr(settings, name))
        if f.dice:
            return self._drawn(self.key(name), self._with_dice(name, f, where, settings, options))
        return self._drawn(self.key(name), self._widget(f, f.widget, f.kind, self.key(name), where, settings, options))

    def draw_item(self, name, i, where=None, **options):
        """The widget of item ``i`` of list field ``name`` (one hidden layer's units, say)."""
        f = self.fields[name]
        settings = current_run(self.page).settings
        values = getattr(settings, name)
        self._ensure(self.key(name, i), values[i] if i < len(values) else f.item_default)
        options.setdefault("label", f"{f.label} {i + 1}")
        return self._drawn(self.key(name, i),
                           self._widget(f, f.widget, SCALAR_OF[f.kind], self.key(name, i), where or st, settings, options))

    def draw_count(self, name, label, where=None, help=None):
        """The number-of-items widget of list field ``name`` (and of the fields sharing its count)."""
        f = self.fields[name]
        settings = current_run(self.page).settings
        self._ensure(self.key(f.count), len(getattr(settings, name)))
        return self._drawn(self.key(f.count), (where or st).number_input(
            label, f.min_items, f.max_items, key=self.key(f.count), on_change=self.changed, help=help))

    def draw_section(self, section, where=None):
        """Every scalar field of ``section``, in the table's order."""
        for name, f in self.fields.items():
            if f.section == section and f.widget and f.kind not in ("ints", "floats", "choices"):
                self.draw(name, where)

    def _ensure(self, widget_key, value):
        """A widget not drawn in the last run lost its state: give it the setting's value back
        (otherwise it would show its first option while the run uses another)."""
        if widget_key not in st.session_state:
            st.session_state[widget_key] = value

    def _with_dice(self, name, f, where, settings, options):
        pair = where.container(horizontal=True, wrap=False, vertical_alignment="bottom", gap="small",
                               width=options.get("width", "stretch"))
        widget = self._widget(f, f.widget, f.kind, self.key(name), pair, settings, {**options, "width": "stretch"})
        lo, hi = f.bounds
        pair.button("New", key=self.key(f"{name}_new"), icon=":material/casino:", width="content",
                     help=f"A new random {f.label.lower()} (new data and starting weights)",
                     on_click=lambda: self.set(**{name: random.randint(lo, hi)}))
        return widget

    def _widget(self, f, widget, kind, widget_key, where, settings, options):
        label = options.get("label", f.label)
        common = dict(key=widget_key, on_change=self.changed, help=options.get("help", f.help),
                      disabled=bool(f.disabled and f.disabled(settings)),
                      label_visibility=options.get("label_visibility", "visible"))
        if "width" in options:
            common["width"] = options["width"]
        choices = _choices(f)
        if widget == "slider" and kind in ("int", "float"):
            lo, hi = f.limits(settings) if f.limits else f.bounds
            step = f.step or (1 if kind == "int" else (hi - lo) / 100)
            number = int if kind == "int" else float
            return where.slider(label, number(lo), number(hi), step=number(step), **common)
        if widget == "number":
            lo, hi = f.bounds
            return where.number_input(label, lo, hi, step=f.step or 1, **common)
        if widget in ("slider", "select_slider"):
            return where.select_slider(label, choices, format_func=f.label_of, **common)
        if widget == "select":
            return where.selectbox(label, choices, format_func=f.label_of, **common)
        if widget == "segmented":
            return where.segmented_control(label, choices, format_func=f.label_of, required=True, **common)
        if widget == "radio":
            return where.radio(label, choices, format_func=f.label_of, horizontal=True, **common)
        if widget == "toggle":
            return where.toggle(label, **common)
        if widget == "pills":
            return where.pills(label, choices, selection_mode="multi", format_func=f.label_of, **common)
        if widget == "multiselect":
            return where.multiselect(label, choices, format_func=f.label_of, **common)
        raise ValueError(f"field {label!r}: no widget {widget!r} for a {kind}")


def _choices(f):
    """A choice widget's options (a whole number's: every value in its bounds); a list item that may
    be left empty offers its empty value first."""
    choices = list(f.choices or (range(f.bounds[0], f.bounds[1] + 1) if f.kind in ("int", "ints") else ()))
    if f.kind in ("choices",) and f.item_default is not None and f.item_default not in choices:
        choices.insert(0, f.item_default)
    return choices
