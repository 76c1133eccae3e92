"""The user's own text and series for the RNN page, without Streamlit: read, check, and make them into
the windows a recurrent network trains on.

Everything a user sends is bounded before it is read (bytes, characters, rows, columns), and every
failure is one ``ValueError`` whose message the page shows as it is: a wrong encoding is a message,
not mojibake; a cell that is no number names its row and column.

- Text (``read_text``): UTF-8 (a byte-order mark is fine), at most ``MAX_TEXT_BYTES``; line ends made
  ``\\n``. Its alphabet is at most ``MAX_ALPHABET`` characters: the rarest are folded into one symbol,
  and ``OwnText.fold_note`` says which.
- Series (``read_csv``): a CSV of one or more numeric columns (comma, semicolon or tab), a header row
  optional, at most ``MAX_ROWS`` rows and ``MAX_COLUMNS`` columns. A column of text only (dates, say)
  is left out and named; a text cell among numbers, an empty cell, NaN or infinity, a ragged row, a
  single row, or a constant column is refused, naming the row or column.
"""
import csv
import hashlib
import io
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from engine.data.sequences import CharText

MAX_TEXT_BYTES = 200_000          # a pasted or uploaded text (UTF-8 bytes)
MIN_TEXT = 200                    # characters a text needs at least
MAX_ALPHABET = 128                # distinct characters a network reads at most
FOLD_SYMBOLS = "¤◆#"              # the first of these the text does not use stands for its rarest characters
MAX_CSV_BYTES = 2 * 2**20
MAX_ROWS, MAX_COLUMNS = 10_000, 20
TRAIN_SHARE = 0.8                 # of a series' rows: the first 80 % to train, the rest to test
WINDOW_VALUES = 8_000_000         # one-hot values of the text windows at most (32 MB of float32)
TEXT_WINDOWS = (1500, 300)        # training and test windows of a text (fewer for a large alphabet)
SERIES_WINDOWS = 4000             # training windows of a series at most (evenly spread)
FORECAST_STEPS = 60               # test steps the series view predicts one step ahead


def _digest(*parts):
    h = hashlib.sha1()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
    return h.hexdigest()[:16]


# -- text ------------------------------------------------------------------------------------
@dataclass
class OwnText:
    name: str                     # where it came from ("pasted text" or the file's name)
    text: str                     # with the rarest characters folded
    folded: list = field(default_factory=list)     # the characters folded into one symbol
    fold: str = ""                # that symbol
    digest: str = ""

    @property
    def chars(self):
        return CharText(self.text)

    @property
    def alphabet(self):
        return len(set(self.text))

    def fold_note(self):
        if not self.folded:
            return ""
        share = sum(1 for c in self.text if c == self.fold) / len(self.text)
        shown = "".join(sorted(self.folded)[:20])
        return (f"It has {self.alphabet - 1 + len(self.folded)} different characters; a network here reads at most "
                f"{MAX_ALPHABET}, so the {len(self.folded)} rarest ({shown!r}{' …' if len(self.folded) > 20 else ''}) "
                f"are written as {self.fold!r} ({share:.1%} of the text).")

    def prompt(self, n=12):
        """The text's first ``n`` characters: where a sample starts."""
        return self.text[:n]


def decode_text(data):
    """Text from an upload's bytes: UTF-8 (with or without a byte-order mark), else ValueError."""
    if not data:
        raise ValueError("the file is empty")
    if len(data) > MAX_TEXT_BYTES:
        raise ValueError(f"the file is {len(data) / 1000:.0f} kB; a text is at most {MAX_TEXT_BYTES // 1000} kB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"it is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start:,} cannot be "
                         "read): save it as UTF-8 and upload it again") from None


def read_text(text, name="pasted text"):
    """An OwnText from a str (pasted) or bytes (uploaded); ValueError says what is wrong."""
    if isinstance(text, bytes):
        text = decode_text(text)
    if not isinstance(text, str):
        raise ValueError("the text did not arrive as text")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ValueError(f"the text is {len(text.encode('utf-8')) / 1000:.0f} kB; at most {MAX_TEXT_BYTES // 1000} kB")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        raise ValueError("it holds NUL characters: it is not a text file")
    if not text.strip():
        raise ValueError("the text is empty")
    if len(text) < MIN_TEXT:
        raise ValueError(f"the text has {len(text):,} characters; at least {MIN_TEXT}, so there is something to "
                         "learn and a tenth of it to test on")
    counts = Counter(text)
    folded, fold = [], ""
    if len(counts) > MAX_ALPHABET:
        kept = [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ALPHABET - 1]]
        fold = next(s for s in FOLD_SYMBOLS if s not in kept)
        keep = set(kept)
        folded = sorted(c for c in counts if c not in keep)
        text = "".join(c if c in keep else fold for c in text)
    return OwnText(name, text, folded, fold, _digest(text))


def min_text_length(length):
    """Characters a text needs for windows of ``length``: the last tenth is kept to test, and both
    parts must hold a window and its next character."""
    return max(10 * (length + 1), MIN_TEXT)


def longest_window(n_chars, lo=4):
    """The longest window a text of ``n_chars`` characters allows (at least ``lo``), or None."""
    best = n_chars // 10 - 1 if n_chars >= MIN_TEXT else None
    return best if best is not None and best >= lo else None


def text_windows(own, length, seed):
    """(x, y, xt, yt, CharText): one-hot windows of ``length`` characters (float32) and the next
    character at every step; training windows from the first 90 %, test windows from the rest."""
    n_chars = len(own.text)
    if n_chars < min_text_length(length):
        raise ValueError(f"the text has {n_chars:,} characters; sequences of {length} need at least "
                         f"{min_text_length(length):,} (the last tenth is kept to test)")
    chars = own.chars
    vocab = chars.vocab
    n = max(100, min(TEXT_WINDOWS[0], WINDOW_VALUES // (length * vocab)))
    n_test = max(20, min(TEXT_WINDOWS[1], n // 5))
    cut = n_chars - max(n_chars // 10, length + 1)
    eye = np.eye(vocab, dtype=np.float32)

    def windows(lo, hi, count, s):
        start = np.random.default_rng(s).integers(lo, hi - length, count)
        idx = start[:, None] + np.arange(length)[None, :]
        return eye[chars.codes[idx]], chars.codes[idx + 1]
    x, y = windows(0, cut, n, seed)
    xt, yt = windows(cut, n_chars, n_test, seed + 1)
    return x, y, xt, yt, chars


# -- series ------------------------------------------------------------------------------------
@dataclass
class OwnSeries:
    name: str
    columns: list                 # names of the numeric columns kept
    values: np.ndarray            # (rows, columns) float64
    dropped: list = field(default_factory=list)    # text columns left out
    header: bool = True
    digest: str = ""

    @property
    def rows(self):
        return len(self.values)

    def note(self):
        out = f"{self.name}: {self.rows:,} rows, {len(self.columns)} numeric column{'s' if len(self.columns) != 1 else ''}"
        if not self.header:
            out += " (no header row: columns named 1, 2, …)"
        if self.dropped:
            out += "; left out, as text: " + ", ".join(repr(c) for c in self.dropped[:5])
        return out + "."


def _number(cell):
    try:
        v = float(cell)
    except ValueError:
        return None
    return v


def _column_name(names, j):
    return repr(names[j]) if names else str(j + 1)


def read_csv(data, name="series.csv"):
    """An OwnSeries from a CSV file's bytes; ValueError names what is wrong (row numbers are the
    file's lines, counted from 1)."""
    if not data:
        raise ValueError("the file is empty")
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(f"the file is {len(data) / 2**20:.1f} MB; a series is at most {MAX_CSV_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"it is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start:,}): save the "
                         "CSV as UTF-8") from None
    if "\0" in text:
        raise ValueError("it holds NUL bytes: it is not a CSV file")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    rows = [(k + 1, row) for k, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter))
            if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError("it holds no rows")
    header = any(_number(cell) is None for cell in rows[0][1])
    names = [" ".join(c.split())[:40] or f"column {j + 1}" for j, c in enumerate(rows[0][1])] if header else None
    body = rows[1:] if header else rows
    if len(body) > MAX_ROWS:
        raise ValueError(f"it has {len(body):,} rows; a series is at most {MAX_ROWS:,}")
    if not body:
        raise ValueError("it has a header row and no values")
    if len(body) < 2:
        raise ValueError("it has one row of values: a series needs many rows (one per time step)")
    width = len(rows[0][1])
    if width > MAX_COLUMNS:
        raise ValueError(f"it has {width} columns; at most {MAX_COLUMNS}")
    for line, row in body:
        if len(row) != width:
            raise ValueError(f"row {line} has {len(row)} cells, the {'header' if header else 'first row'} {width}")
    cells = [[c.strip() for c in row] for _, row in body]
    numeric, dropped = [], []
    for j in range(width):
        parsed = [_number(row[j]) for row in cells]
        if all(v is None for v in parsed) and header:
            dropped.append(names[j])            # a text column (dates, labels): left out
            continue
        for (line, _), row, v in zip(body, cells, parsed):
            if v is None:
                what = "is empty" if not row[j] else f"holds {row[j][:30]!r}, not a number"
                raise ValueError(f"row {line}, column {_column_name(names, j)} {what}")
            if not math.isfinite(v):
                raise ValueError(f"row {line}, column {_column_name(names, j)} holds {row[j][:30]!r}: every value "
                                 "must be a finite number")
        numeric.append((j, np.asarray(parsed, np.float64)))
    if not numeric:
        raise ValueError("it has no column of numbers")
    for j, values in numeric:
        if values.max() == values.min():
            raise ValueError(f"column {_column_name(names, j)} holds the same value ({values[0]:g}) in every row: "
                             "there is nothing to forecast or to learn from; take it out")
    columns = [names[j] if names else str(j + 1) for j, _ in numeric]
    values = np.column_stack([v for _, v in numeric])
    return OwnSeries(name, columns, values, dropped, header, _digest(values.tobytes(), columns))


def min_rows(length):
    """Rows a series needs for windows of ``length``: both the training rows (80 %) and the test rows
    must hold a window and the value after it."""
    return math.ceil((length + 1) / (1 - TRAIN_SHARE)) + 1


def longest_series_window(rows, lo=2):
    best = int(rows * (1 - TRAIN_SHARE)) - 2
    return best if best >= lo else None


@dataclass
class SeriesData:
    x: np.ndarray                 # (n, T, columns) float32, standardised, the target column first
    y: np.ndarray                 # (n, 1) the target column's next value, standardised
    xt: np.ndarray
    yt: np.ndarray
    mean: float                   # the target column's training mean and spread (for showing values)
    std: float
    test_start: int               # the first test row
    column: str


def series_windows(series, column, length):
    """Windows of ``length`` rows of every column (standardised with the training rows' mean and
    spread; the target column first) and the target column's next value."""
    rows = series.rows
    if rows < min_rows(length):
        raise ValueError(f"the series has {rows:,} rows; windows of {length} steps need at least {min_rows(length):,} "
                         "(80 % to train, 20 % to test)")
    order = [column] + [j for j in range(len(series.columns)) if j != column]
    values = series.values[:, order]
    cut = int(rows * TRAIN_SHARE)
    mean, std = values[:cut].mean(axis=0), values[:cut].std(axis=0)
    std = np.where(std > 0, std, 1.0)         # a column constant in the training rows only
    z = ((values - mean) / std).astype(np.float32)

    def windows(lo, hi, most=None):
        starts = np.arange(lo, hi - length)
        if most and len(starts) > most:
            starts = starts[np.linspace(0, len(starts) - 1, most).round().astype(int)]
        idx = starts[:, None] + np.arange(length)[None, :]
        return z[idx], z[starts + length, :1]
    x, y = windows(0, cut, SERIES_WINDOWS)
    xt, yt = windows(cut - length, rows)           # test targets are the rows after the cut
    return SeriesData(x, y, xt, yt, float(mean[0]), float(std[0]), cut, series.columns[column])


def example_series(rows=1200, seed=0):
    """A made-up series to try the task with (and to see the format): a daily temperature with a
    yearly and a weekly rhythm and weather, and the heating it asks for."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    weather = np.convolve(rng.normal(0, 1.2, rows + 6), np.ones(7) / 7, mode="valid")[:rows]
    temperature = 11 + 9 * np.sin(2 * np.pi * (t - 100) / 365) + 1.5 * np.sin(2 * np.pi * t / 7) + 3 * weather
    heating = np.clip(18 - temperature, 0, None) * 2.2 + rng.normal(0, 1.0, rows)
    values = np.column_stack([temperature, heating]).round(2)
    return OwnSeries("Example series (made up)", ["temperature", "heating"], values, [], True,
                     _digest(values.tobytes(), "example"))


def to_csv(series):
    """The series as CSV bytes (a header row, then the values)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(series.columns)
    w.writerows([[f"{v:g}" for v in row] for row in series.values])
    return out.getvalue().encode("utf-8")
