"""Animations of a run over its epochs: frames (PIL images) in, GIF or MP4 bytes out.

Bounded: at most ``MAX_FRAMES`` frames (``pick`` spreads them over the kept epochs, first and last
included), frames ``FRAME_WIDTH`` wide, one shared 128-colour palette (quantising each frame on its
own would cost seconds), and a GIF refused past ``MAX_BYTES``. MP4 needs imageio-ffmpeg.
"""
import io
import time

import numpy as np
from PIL import Image

MAX_FRAMES = 100
FRAME_WIDTH = 800
MAX_BYTES = 24 * 2**20
FRAME_MS = 120


def pick(n, most=MAX_FRAMES):
    """Indices of at most ``most`` of ``n`` items, evenly spread, the first and last included."""
    if n <= most:
        return list(range(n))
    return sorted(set(np.linspace(0, n - 1, most).round().astype(int).tolist()))


def even(image):
    """``image`` cropped to even sides on a 16-pixel grid (video encoders want it)."""
    w, h = image.width - image.width % 16, image.height - image.height % 16
    return image if (w, h) == image.size else image.crop((0, 0, w, h))


def frames_of(render, items, progress=None):
    """[render(item) for item in items], calling ``progress(done, total)`` after each."""
    frames = []
    for k, item in enumerate(items):
        frames.append(render(item))
        if progress:
            progress(k + 1, len(items))
    return frames


def gif(frames, frame_ms=FRAME_MS):
    """An endlessly looping GIF of ``frames`` (the last one held longer)."""
    if not frames:
        raise ValueError("an animation needs at least one frame")
    size = frames[0].size
    frames = [f if f.size == size else f.resize(size) for f in frames]
    palette = frames[0].convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    coded = [f.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    buf = io.BytesIO()
    durations = [frame_ms] * (len(coded) - 1) + [frame_ms * 8]
    coded[0].save(buf, "GIF", save_all=True, append_images=coded[1:], duration=durations, loop=0,
                  optimize=False, disposal=1)
    data = buf.getvalue()
    if len(data) > MAX_BYTES:
        raise ValueError(f"the animation came to {len(data) / 2**20:.0f} MB; at most {MAX_BYTES // 2**20} MB")
    return data


def mp4_available():
    try:
        import imageio_ffmpeg  # noqa: F401
        import imageio.v3  # noqa: F401
    except ImportError:
        return False
    return True


def mp4(frames, fps=8):
    """An H.264 MP4 of ``frames`` (None where imageio-ffmpeg is missing)."""
    if not mp4_available():
        return None
    import imageio.v3 as iio
    size = even(frames[0]).size
    stack = np.stack([np.asarray(even(f.convert("RGB")).resize(size)) for f in frames])
    return iio.imwrite("<bytes>", stack, extension=".mp4", fps=fps, codec="libx264")   # yuv420p by default


def timed(fn, *args, **kwargs):
    """(result, seconds) of a call."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start
