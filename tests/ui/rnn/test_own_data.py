"""The user's own text and series for the RNN page: every bad input is one sentence naming what is wrong
(a row, a column, a byte), and good input becomes the windows the page trains on."""
import numpy as np
import pytest

from ui.rnn import own_data as od
from ui.rnn.run import RnnRun
from ui.rnn.settings import RnnSettings

TEXT = "The quick brown fox jumps over the lazy dog. " * 30


# -- text ----------------------------------------------------------------------------------------
def test_a_text_in_another_encoding_is_a_message_not_mojibake():
    with pytest.raises(ValueError, match=r"not UTF-8 text \(byte 0xe9 at position 3"):
        od.read_text("café au lait, ".encode("latin-1") * 30)


def test_utf8_with_a_byte_order_mark_and_windows_line_ends_is_read_as_written():
    own = od.read_text(b"\xef\xbb\xbf" + ("Grüße\r\n" * 60).encode("utf-8"), name="gruss.txt")
    assert own.text.startswith("Grüße\nGrüße") and "\r" not in own.text and own.name == "gruss.txt"


@pytest.mark.parametrize("data, why", [(b"", "empty"), ("   \n" * 100, "empty"), ("short text", "at least 200"),
                                       (b"\0" * 5000, "NUL"), (b"a" * (od.MAX_TEXT_BYTES + 1), "at most 200 kB"),
                                       ("é" * 100_001, "at most 200 kB")])
def test_a_bad_text_is_refused_in_words(data, why):
    with pytest.raises(ValueError, match=why):
        od.read_text(data)


def test_more_than_128_characters_fold_the_rarest_into_one_symbol_and_say_so():
    rare = "".join(chr(0x400 + k) for k in range(150))            # 150 Cyrillic letters, once each
    own = od.read_text(TEXT + rare)
    assert own.alphabet == od.MAX_ALPHABET and own.fold == "¤"
    assert len(own.folded) == len(set(TEXT + rare)) - (od.MAX_ALPHABET - 1)
    assert own.text.startswith(TEXT) and own.text.count("¤") == len(own.folded)
    assert "written as '¤'" in own.fold_note() and f"{len(set(TEXT + rare))} different characters" in own.fold_note()
    assert od.read_text(TEXT).fold_note() == ""


def test_text_windows_are_one_hot_float32_with_the_test_windows_from_the_last_tenth():
    own = od.read_text(TEXT)
    x, y, xt, yt, chars = od.text_windows(own, 16, seed=0)
    assert x.dtype == np.float32 and x.shape[1:] == (16, chars.vocab) and y.shape == x.shape[:2]
    assert (x.sum(axis=2) == 1).all()
    assert len(xt) >= 20
    with pytest.raises(ValueError, match="need at least"):
        od.text_windows(own, 200, seed=0)
    assert od.longest_window(len(own.text)) == len(own.text) // 10 - 1


# -- series --------------------------------------------------------------------------------------
def csv(text):
    return text.encode("utf-8")


ROWS = "".join(f"{k},{np.sin(k / 5):.4f},{k % 7}\n" for k in range(300))


def test_a_csv_with_or_without_a_header_and_any_of_three_separators_is_read():
    s = od.read_csv(csv("t,signal,weekday\n" + ROWS))
    assert s.columns == ["t", "signal", "weekday"] and s.values.shape == (300, 3) and s.header
    s2 = od.read_csv(csv(ROWS.replace(",", ";")))
    assert s2.columns == ["1", "2", "3"] and not s2.header and "no header row" in s2.note()
    assert od.read_csv(csv(ROWS.replace(",", "\t"))).values.shape == (300, 3)


def test_a_text_only_column_is_left_out_and_named():
    body = "".join(f"2024-01-{k % 28 + 1:02d},{k * 0.5}\n" for k in range(100))
    s = od.read_csv(csv("date,value\n" + body))
    assert s.columns == ["value"] and s.dropped == ["date"] and "left out, as text: 'date'" in s.note()


@pytest.mark.parametrize("body, why", [
    ("a,b\n1,2\n3,x\n4,5\n", r"row 3, column 'b' holds 'x', not a number"),
    ("a,b\n1,2\n3,\n4,5\n", r"row 3, column 'b' is empty"),
    ("a,b\n1,2\nnan,3\n4,5\n", r"row 3, column 'a' holds 'nan'"),
    ("a,b\n1,2\n3,inf\n4,5\n", r"row 3, column 'b' holds 'inf'"),
    ("a,b\n1,2\n3,4,5\n", r"row 3 has 3 cells, the header 2"),
    ("a,b\n1,2\n", "one row of values"),
    ("a,b\n1,2\n1,3\n1,4\n", r"column 'a' holds the same value \(1\) in every row"),
    ("a,b\n", "a header row and no values"),
    ("", "empty"),
    ("a,b\n" + "1,2\n2,3\n" * 5001, "10,000"),
    (",".join(f"c{k}" for k in range(21)) + "\n" + (",".join("1" * 21) + "\n") * 3, "at most 20"),
])
def test_a_bad_csv_is_refused_naming_the_row_or_the_column(body, why):
    with pytest.raises(ValueError, match=why):
        od.read_csv(csv(body))


def test_a_csv_in_another_encoding_or_with_nul_bytes_is_refused():
    with pytest.raises(ValueError, match="not UTF-8"):
        od.read_csv("a,b\n1,\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="NUL"):
        od.read_csv(b"a,b\n1,2\0\n")
    with pytest.raises(ValueError, match="at most 2 MB"):
        od.read_csv(b"1\n" * (od.MAX_CSV_BYTES // 2 + 1))


def test_series_windows_put_the_forecast_column_first_scaled_on_the_training_rows():
    s = od.read_csv(csv("t,signal,weekday\n" + ROWS))
    d = od.series_windows(s, column=1, length=10)
    assert d.x.shape[1:] == (10, 3) and d.y.shape[1:] == (1,) and d.column == "signal"
    train = s.values[:d.test_start, 1]
    assert abs(d.mean - train.mean()) < 1e-9 and abs(d.std - train.std()) < 1e-9
    np.testing.assert_allclose(d.x[0, :, 0] * d.std + d.mean, s.values[:10, 1], atol=1e-4)
    np.testing.assert_allclose(d.y[0, 0] * d.std + d.mean, s.values[10, 1], atol=1e-4)
    np.testing.assert_allclose(d.yt[:, 0] * d.std + d.mean, s.values[d.test_start:, 1], atol=1e-4)  # the test rows
    with pytest.raises(ValueError, match="need at least"):
        od.series_windows(s, 0, 100)


def test_the_example_series_reads_back_from_its_csv():
    example = od.example_series()
    back = od.read_csv(od.to_csv(example))
    assert back.columns == example.columns and np.allclose(back.values, example.values)


# -- the run --------------------------------------------------------------------------------------
def test_a_link_to_an_own_text_without_one_falls_back_and_says_so():
    run = RnnRun(RnnSettings.for_task("text", text="own", units=8))
    assert run.settings.text == "zen" and "paste or upload it" in run.notices[0]


def test_an_own_text_trains_with_its_alphabet_and_a_length_it_allows():
    run = RnnRun(RnnSettings.for_task("text", units=8))
    own = od.read_text(TEXT[:900])
    run.use_text(own)
    run.update(run.settings.with_(text="own"))
    assert run.settings.text == "own" and run.settings.length == 64
    assert run.trainer.net.spec["input_shape"] == [64, own.chars.vocab] and run.data.prompt == own.text[:12]
    run.update(run.settings.with_(length=120))                   # 900 characters allow at most 89
    assert run.settings.length == 89 and "sequences of at most 89" in run.notices[-1]
    run.advance(3)
    prompt, sample = run.sample_text(run.snap, 0.5)
    assert set(c for c, _ in sample) <= set(own.text)


def test_an_own_series_forecasts_the_chosen_column_and_a_missing_column_is_the_first():
    run = RnnRun(RnnSettings.for_task("series", units=4, length=10))
    assert run.data.series.column == "temperature"               # no upload: the example series
    run.use_series(od.read_csv(csv("t,signal,weekday\n" + ROWS)))
    run.update(run.settings.with_(column=2))
    assert run.data.series.column == "signal" and run.trainer.net.spec["input_shape"] == [10, 3]
    run.update(run.settings.with_(column=7))
    assert run.settings.column == 1 and "not 7" in run.notices[-1]
    run.advance(3)
    panel = run.frame(run.snap)["panels"][0]
    assert panel["title"].startswith("Forecast of 't'") and len(panel["series"][2]["values"]) == len(panel["x"])
