"""The user's own digit: a drawing or an uploaded picture, made into a 28 x 28 image the way
MNIST's digits were made (LeCun et al.): grayscale, ink bright on black, cropped to the ink,
the longest side scaled to 20 px keeping the aspect ratio, then placed in 28 x 28 so the
centre of mass sits at the centre.

Anything a user sends is checked before it is decoded: size, format, pixel count (a small
file can hold a huge image: a decompression bomb). Every failure is a ValueError whose
message can be shown as it is.
"""
import base64
import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
FORMATS = ("PNG", "JPEG")
BOX, SIZE = 20, 28
WORK_SIDE = 1024         # pixels: a picture is shrunk to this before any arithmetic
TOO_LARGE = f"the image has too many pixels (at most {MAX_PIXELS // 10**6} million)"
INK = 0.15               # of the strongest ink: fainter pixels are paper, for cropping


def read_image(data):
    """Grayscale pixels in [0, 1] (1 white) of a PNG or JPEG file's bytes."""
    if not data:
        raise ValueError("the file is empty")
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data) / 2**20:.1f} MB; at most 5 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ValueError(f"it is a {image.format or 'unknown'} image; PNG or JPEG, please")
            w, h = image.size
            if w * h > MAX_PIXELS:
                raise ValueError(TOO_LARGE)
            image.load()
    except ValueError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(TOO_LARGE) from None
    except UnidentifiedImageError:
        raise ValueError("it is not a PNG or JPEG image") from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError("the image is damaged and cannot be read") from None
    image.thumbnail((WORK_SIDE, WORK_SIDE))     # a 12-megapixel photo as float64 would take ~100 MB
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, image.convert("RGBA"))      # transparent is paper
    return np.asarray(image.convert("L"), np.float64) / 255.0


def read_data_url(url):
    """The bytes of a ``data:image/png;base64,...`` URL (the drawing pad sends one)."""
    head, _, body = str(url).partition(",")
    if not head.startswith("data:image/png;base64"):
        raise ValueError("the drawing did not arrive as a PNG")
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        raise ValueError("the drawing arrived damaged") from None


def as_mnist(gray):
    """(28, 28) float32 ink in [0, 1] from grayscale pixels in [0, 1] (either polarity)."""
    gray = np.asarray(gray, np.float64)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = 1.0 - gray if border.mean() > 0.5 else gray.copy()     # dark ink on light paper: invert
    ink -= np.median(border if border.mean() <= 0.5 else 1.0 - border)    # the paper is 0
    ink = np.clip(ink, 0, None)
    if ink.max() <= 0.05:
        raise ValueError("no ink found: draw or upload a digit")
    rows, cols = np.nonzero(ink > INK * ink.max())
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1] / ink.max()
    h, w = ink.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).resize(size, Image.Resampling.LANCZOS),
                       np.float64) / 255.0
    out = np.zeros((SIZE, SIZE))
    top, left = (SIZE - small.shape[0]) // 2, (SIZE - small.shape[1]) // 2
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return _centre_mass(out).astype(np.float32)


def _centre_mass(img):
    """``img`` shifted by whole pixels so its centre of mass is at pixel (14, 14) (kept inside)."""
    total = img.sum()
    yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    dy = int(round(img.shape[0] / 2 - (yy * img).sum() / total))     # MNIST's centres of mass sit at (14, 14)
    dx = int(round(img.shape[1] / 2 - (xx * img).sum() / total))
    rows, cols = np.nonzero(img > 0)
    dy = min(max(dy, -rows.min()), img.shape[0] - 1 - rows.max())
    dx = min(max(dx, -cols.min()), img.shape[1] - 1 - cols.max())
    return np.roll(img, (dy, dx), axis=(0, 1))


def digit_from_bytes(data):
    return as_mnist(read_image(data))
