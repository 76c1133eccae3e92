"""The app's model pages, found in app.py's navigation: nothing to register when a page is added.

A model page is an ``st.Page`` of app.py whose file imports a ``ui.page.Page`` subclass (its
description): its settings, and so the fields of its link. The home page imports none.
"""
import ast
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Page:
    path: str           # the URL path: "mlp"
    file: str           # "app_pages/mlp.py"
    settings: type      # its Settings subclass
    description: type   # its ui.page.Page subclass (its run class, widgets, ...)


def navigation(app=ROOT / "app.py"):
    """(file, url path) of every ``st.Page(...)`` in app.py, in order. Streamlit's default URL
    path is the file's name without ``.py``."""
    for node in ast.walk(ast.parse(Path(app).read_text())):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            file = node.args[0].value
            url = next((k.value.value for k in node.keywords
                        if k.arg == "url_path" and isinstance(k.value, ast.Constant)), Path(file).stem)
            yield file, url


def description(page_file):
    """The ``ui.page.Page`` subclass ``page_file`` imports by name, or None."""
    from ui.page import Page
    for node in ast.parse((ROOT / page_file).read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = importlib.import_module(node.module)
            for alias in node.names:
                obj = getattr(module, alias.name, None)
                if isinstance(obj, type) and issubclass(obj, Page) and obj is not Page:
                    return obj
    return None


def model_pages():
    """Every model page of app.py, in navigation order."""
    return [Page(url, file, cls.settings_class, cls) for file, url in navigation()
            if (cls := description(file)) is not None]
