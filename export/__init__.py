"""Take it with you: a page's network as PyTorch and Keras 3 scripts, Jupyter notebooks and a zip.

Pure code generation (no Streamlit): ``ui`` -> ``export`` -> ``engine``.

    recipe = Recipe(page="mlp", title=..., spec=..., data=..., optimizer="sgd", lr=0.03, ...)
    pytorch.script(recipe); keras.script(recipe); notebook.notebook_text(recipe, "pytorch")
    bundle.bundle(recipe, weights_npz_bytes)

A layer kind is one entry of ``export.layers.KINDS``; a data source one branch of ``export.data``.
"""
from .recipe import Recipe, trainer_recipe

__all__ = ["Recipe", "trainer_recipe"]
