"""Everything a learner takes away in one zip: both scripts, both notebooks, the page's weights,
the files the data code reads (MNIST, the King James text) or the page's own data, and a README."""
import io
import zipfile

import numpy as np

from . import data as data_code
from . import keras, notebook, pytorch

MAX_DATA_BYTES = 32 * 2**20          # the page's own arrays shipped as data.npz at most


def readme(recipe):
    return (f"{recipe.title}, taken away from the neural-network playground.\n\n"
            f"{recipe.link}\n\n"
            f"  {pytorch.file_name(recipe)}       the network in PyTorch:  python {pytorch.file_name(recipe)}\n"
            f"  {keras.file_name(recipe)}         the network in Keras 3:  python {keras.file_name(recipe)}\n"
            f"  {notebook.file_name(recipe, 'pytorch')}, {notebook.file_name(recipe, 'keras')}   the same as "
            "Jupyter notebooks, explained step by step\n"
            "  weights.npz           the page's weights (each script starts from them; --weights \"\" starts fresh)\n"
            "                        Upload it on the page to go on where you stopped.\n"
            + "".join(f"  {name:<21} read by the data code\n" for name in data_code.files(recipe.data))
            + ("  data.npz              the page's own data\n" if data_code.needs_arrays(recipe.data) else ""))


def bundle(recipe, weights, arrays=None):
    """The zip's bytes. ``weights``: the page's .npz; ``arrays``: (x_train, y_train, x_test, y_test)
    for a recipe whose data travel as arrays."""
    buf = io.BytesIO()
    folder = f"{recipe.page}-playground/"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(folder + "README.txt", readme(recipe))
        z.writestr(folder + pytorch.file_name(recipe), pytorch.script(recipe))
        z.writestr(folder + keras.file_name(recipe), keras.script(recipe))
        for framework in ("pytorch", "keras"):
            z.writestr(folder + notebook.file_name(recipe, framework), notebook.notebook_text(recipe, framework))
        z.writestr(folder + "weights.npz", weights)
        for name, path in data_code.files(recipe.data).items():
            z.write(path, folder + name, compress_type=zipfile.ZIP_STORED if name.endswith(".gz") else None)
        if data_code.needs_arrays(recipe.data):
            if arrays is None:
                raise ValueError("this recipe's data travel as arrays: pass them")
            if sum(np.asarray(a).nbytes for a in arrays) > MAX_DATA_BYTES:
                raise ValueError("the page's data are too large to ship")
            data = io.BytesIO()
            np.savez_compressed(data, **dict(zip(("x_train", "y_train", "x_test", "y_test"), arrays)))
            z.writestr(folder + "data.npz", data.getvalue())
    return buf.getvalue()
