"""Data-set pictures for the picker, as PNG data URLs (cached, bounded).

A plain ``lru_cache``: its arguments are a name and three numbers, and the page asks for all nine
pictures on every run, where ``st.cache_data`` hashed each call's arguments and its source."""
import base64
import io
from functools import lru_cache

from PIL import Image

from engine.data import DATASETS, make_2d
from viz.datasets import dataset_image


@lru_cache(maxsize=64)
def dataset_thumbnail(name, noise=0, seed=0, size=64):
    pts, labels = make_2d(name, 300, noise / 100, seed=seed)
    buf = io.BytesIO()
    Image.fromarray(dataset_image(pts, labels, DATASETS[name].kind, size=size)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def dataset_items(noise, seed):
    return {name: {"id": name, "title": d.title, "src": dataset_thumbnail(name, noise, seed)}
            for name, d in DATASETS.items()}
