"""A picture of real MNIST digits for the home page's CNN card (a PNG data URL, made once)."""
import base64
import io

import numpy as np
import streamlit as st
from PIL import Image

from engine.data.images import load_mnist


@st.cache_data(max_entries=1, show_spinner=False)
def digits_picture(count=8, size=48):
    """The first ``count`` test digits side by side, dark ink on white."""
    images, _ = load_mnist()
    row = np.concatenate([255 - images[k] for k in range(count)], axis=1)
    picture = Image.fromarray(row).resize((count * size, size), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
