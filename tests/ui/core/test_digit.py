"""Your own digit: MNIST-style preprocessing, and every kind of bad file refused with a message."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from engine.data.images import load_mnist
from ui.digit import as_mnist, digit_from_bytes, read_data_url


def png(array, mode="L"):
    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, format="PNG")
    return buf.getvalue()


def test_dark_ink_on_light_paper_is_inverted_cropped_scaled_and_centred():
    paper = np.full((300, 200), 250, np.uint8)
    paper[40:240, 90:110] = 10                          # a tall dark bar: a "1", off centre
    digit = digit_from_bytes(png(paper))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    rows, cols = np.nonzero(digit > 0.5)
    assert rows.max() - rows.min() + 1 == 20            # the longest side is 20 pixels
    assert cols.max() - cols.min() + 1 == 2             # the aspect ratio is kept (20:200 of 20)
    yy, xx = np.mgrid[0:28, 0:28]
    assert abs((yy * digit).sum() / digit.sum() - 14) <= 0.5     # centred by its mass
    assert abs((xx * digit).sum() / digit.sum() - 14) <= 0.5


def test_an_mnist_digit_comes_back_almost_unchanged():
    images, _ = load_mnist()
    for image in images[:20]:
        original = image.astype(np.float64) / 255
        again = digit_from_bytes(png(image))
        assert np.corrcoef(again.ravel(), original.ravel())[0, 1] > 0.8


def test_a_transparent_drawing_counts_as_paper():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[20:80, 45:55] = (0, 0, 0, 255)                 # black strokes on a transparent pad
    assert digit_from_bytes(png(rgba, "RGBA")).max() > 0.9


def bomb():
    """A valid PNG header claiming 60,000 x 60,000 pixels, in a few hundred bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"just some text, not a picture", "not a PNG or JPEG"),
    (png(np.random.default_rng(0).integers(0, 255, (100, 100), dtype=np.uint8))[:5000], "damaged"),
    (bomb(), "too many pixels"),
    (png(np.full((40, 40), 255, np.uint8)), "no ink"),
    (b"GIF89a" + b"\0" * 100, "not a PNG or JPEG"),
    (b"\0" * (5 * 2**20 + 1), "at most 5 MB"),
])
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        digit_from_bytes(data)


def test_a_gif_is_refused_by_format():
    buf = io.BytesIO()
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(buf, format="GIF")
    with pytest.raises(ValueError, match="GIF image; PNG or JPEG"):
        digit_from_bytes(buf.getvalue())


def test_the_pad_sends_a_png_data_url():
    import base64
    url = "data:image/png;base64," + base64.b64encode(png(np.zeros((5, 5), np.uint8))).decode()
    assert read_data_url(url).startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        read_data_url("javascript:alert(1)")
    with pytest.raises(ValueError):
        read_data_url("data:image/png;base64,@@@")


def test_as_mnist_accepts_white_ink_on_black():
    img = np.zeros((64, 64))
    img[10:50, 30:34] = 1.0
    assert as_mnist(img).max() > 0.9
