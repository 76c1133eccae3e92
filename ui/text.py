"""User text (links, file names, uploads) shown as text, never as Markdown or HTML."""
import re

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'])")
# GitHub-style autolinks (https://..., www.x, name@host) are found after the backslash escapes
# are undone, so an invisible word joiner breaks them instead: before every ':' and '@', and
# before the '.' after "www". Icons and colours (:material/...:, :red[...]) start with ':' too.
_AUTOLINK = re.compile(r"(?=[:@])|(?<=www)(?=\.)", re.IGNORECASE)
JOINER = "\u2060"


def plain(text):
    """``text`` on one line, escaped so Streamlit's Markdown shows it literally (no links,
    images, HTML, headings, colours, maths or icons)."""
    one_line = " ".join(str(text).splitlines())
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(JOINER, one_line))
