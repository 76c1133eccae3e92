"""The CNN page's settings: links and controls that ask for blocks that do not fit, bad list items,
and the bars data set's own training defaults (measured: its kernels become line detectors)."""
from dataclasses import replace

import numpy as np
import pytest

from ui.cnn.run import CnnRun
from ui.cnn.settings import CnnSettings, dense_help
from ui.lessons.metrics import line_match
from ui.url import decode, encode, settle

THREE = CnnSettings(filters=(8, 16, 16), kernels=(3, 3, 3), strides=(1, 1, 1), paddings=("same",) * 3,
                    acts=("relu",) * 3, norms=("off",) * 3, pools=("max",) * 3)


def test_a_bad_item_keeps_the_good_ones_and_the_notice_says_what_is_used():
    settings, notices = decode({"filters": "999,abc"}, CnnSettings)
    assert settings.filters == (16, 8)                   # the notice's "using 16" is what the page uses
    assert any("using 16" in n for n in notices) and any("'abc'" in n and "using 8" in n for n in notices)
    assert not any("using the default" in n for n in notices), notices


def test_a_link_whose_blocks_do_not_fit_names_them():
    settings, notices = decode({"kernels": "7,7,7", "pad": "valid,valid,valid", "strides": "2,2,2"}, CnnSettings)
    assert len(settings.filters) == 1 and settings.kernels == (7,) and settings.paddings == ("valid",)
    assert notices == ["Blocks 2 and 3 removed: block 2 would shrink its maps below 1 × 1 (its 7×7 kernel with "
                       "valid padding does not fit in block 1's 5×5 maps)."]


def test_a_link_with_one_longer_block_list_means_more_blocks():
    settings, notices = decode({"kernels": "5,5,3"}, CnnSettings)
    assert settings.kernels == (5, 5, 3) and settings.filters == (8, 16, 8) and notices == []
    assert decode(encode(settings), CnnSettings) == (settings, [])


def test_an_edit_that_would_shrink_a_map_below_one_pixel_is_refused_and_named():
    wanted = replace(THREE, kernels=(3, 3, 7), paddings=("same", "same", "valid"))
    settled, notices = settle(wanted, THREE)
    assert settled == THREE                                        # block 3 and its settings stay
    assert notices == ["Block 3 would shrink its maps below 1 × 1: its 2×2 pooling does not fit in the 1×1 maps "
                       "its convolution leaves. The blocks stay as they were."]


def test_a_data_set_whose_images_are_too_small_drops_blocks_with_a_named_notice():
    before = replace(THREE, kernels=(5, 5, 3), paddings=("valid", "valid", "same"))      # 28 -> 12 -> 4 -> 2
    settled, notices = settle(replace(before, dataset="bars"), before)                   # 12 -> 4 -> 0
    assert len(settled.filters) == 1
    assert notices[-1] == ("Blocks 2 and 3 removed: block 2 would shrink its maps below 1 × 1 (its 5×5 kernel "
                           "with valid padding does not fit in block 1's 4×4 maps).")


def test_bars_bring_their_training_defaults_and_keep_a_users_own():
    bars = CnnSettings.from_values({"dataset": "bars"})
    assert (bars.lr, bars.l2) == (0.01, 0.01) and encode(bars) == {"data": "bars"}
    assert decode({"data": "bars", "l2": "0"}, CnnSettings)[0].l2 == 0.0
    settled, notices = settle(replace(CnnSettings(), dataset="bars"), CnnSettings())
    assert (settled.lr, settled.l2) == (0.01, 0.01) and "line detectors" in notices[0]
    own = CnnSettings(lr=0.003)
    settled, _ = settle(replace(own, dataset="bars"), own)
    assert (settled.lr, settled.l2) == (0.003, 0.01)
    back, _ = settle(replace(settled, dataset="mnist"), settled)
    assert (back.lr, back.l2) == (0.003, 0.0)


def test_the_dense_help_counts_the_data_sets_outputs():
    assert "4 outputs" in dense_help(CnnSettings.from_values({"dataset": "bars"}))
    assert "10 outputs" in dense_help(CnnSettings())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_bars_first_layer_kernels_become_line_detectors(seed):
    """The promise of the page's help, the README and "What am I seeing?": within ten epochs of the
    bars' defaults, at least two first-layer kernels match a line at 0.8 or more and have left their
    random start."""
    run = CnnRun(CnnSettings.from_values({"dataset": "bars", "seed": seed}))
    start = np.asarray(run.snap.params["0.W"][:, 0], float).copy()
    run.advance(10 * run.trainer.steps_per_epoch, budget=60)
    w = np.asarray(run.snap.params["0.W"][:, 0], float)
    lines = line_match(w).max(axis=1) >= 0.8
    moved = [np.corrcoef(a.ravel(), b.ravel())[0, 1] < 0.8 for a, b in zip(start, w)]
    assert run.snap.test_acc >= 0.99
    assert (lines & moved).sum() >= 2, line_match(w).max(axis=1)
