"""User text (links, file names, uploads) shown as text, never as Markdown or HTML."""
import re

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'])")


def plain(text):
    """``text`` escaped so Streamlit's Markdown shows it literally (no links, images, HTML)."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
