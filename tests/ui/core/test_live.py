"""The live scheduler: fair shares, a pace is a ceiling, training stops with the lease or Pause."""
import threading
import time
from types import SimpleNamespace

import pytest

from ui import live
from ui.live import Scheduler


class FakeRun:
    """Trains by sleeping (as a Numba kernel releases the GIL); counts its steps."""

    def __init__(self, pace=None, step_seconds=0.001):
        self.pace, self.step_seconds = pace, step_seconds
        self.playing, self.steps, self.lock = True, 0, threading.Lock()
        self.busy = 0.0                  # wall seconds spent in train_slice (a loaded machine oversleeps)

    def steps_per_second(self):
        return self.pace

    def train_slice(self, steps, seconds=0.02):
        n = max(1, min(steps, int(seconds / self.step_seconds)))
        start = time.monotonic()
        time.sleep(n * self.step_seconds)
        self.busy += time.monotonic() - start
        self.steps += n
        return n


def play_for(sched, runs, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for run in runs:
            sched.keep_playing(run)
        time.sleep(0.05)


def test_unpaced_runs_get_equal_shares():
    sched = Scheduler(workers=1)
    runs = [FakeRun(step_seconds=0.001), FakeRun(step_seconds=0.002), FakeRun(step_seconds=0.004)]
    play_for(sched, runs, 1.5)
    busy = [r.busy for r in runs]                              # seconds of training each received
    assert min(busy) > 0.7 * max(busy), busy
    assert sum(busy) > 1.0                                     # the worker was kept busy


def test_a_pace_is_a_ceiling_not_a_share():
    sched = Scheduler(workers=1)
    slow, greedy = FakeRun(pace=200), FakeRun()
    play_for(sched, [slow, greedy], 1.5)
    assert 200 <= slow.steps <= 200 * 1.5 * 1.3, slow.steps
    assert greedy.busy > 0.8                                    # the rest went to the unpaced run


def test_training_stops_when_the_lease_runs_out(monkeypatch):
    monkeypatch.setattr(live, "LEASE_SECONDS", 0.3)
    sched = Scheduler(workers=1)
    run = FakeRun()
    sched.keep_playing(run)
    time.sleep(0.6)
    before = run.steps
    time.sleep(0.4)
    assert before > 0 and run.steps == before and sched.playing == 0


@pytest.mark.parametrize("stop", ["pause", "stop"])
def test_training_stops_on_pause(stop):
    sched = Scheduler(workers=1)
    run = FakeRun()
    sched.keep_playing(run)
    time.sleep(0.2)
    if stop == "pause":
        run.playing = False
    else:
        sched.stop(run)
    time.sleep(0.1)                      # a slice under way may finish
    before = run.steps
    time.sleep(0.3)
    assert run.steps == before and not sched.is_training(run)


def test_a_failing_run_stops_without_killing_the_worker():
    sched = Scheduler(workers=1)
    broken, fine = FakeRun(), FakeRun()
    broken.train_slice = lambda *a, **k: 1 / 0
    play_for(sched, [broken, fine], 0.5)
    assert not broken.playing and fine.steps > 0


def test_frames_get_rarer_as_tabs_join():
    sched = Scheduler(workers=1)
    sched.frame_cost = 0.005
    runs = [FakeRun(pace=1) for _ in range(20)]
    sched.keep_playing(runs[0])
    one = sched.frame_interval()
    for run in runs:
        sched.keep_playing(run)
    many = sched.frame_interval()
    assert one == pytest.approx(1 / live.MAX_FPS) and many == pytest.approx(20 * 0.005 / live.DRAW_SHARE)


def test_play_trains_at_once_not_after_a_frame_of_credit():
    sched = Scheduler(workers=1)
    run = FakeRun(pace=4)                    # one step a quarter of a second: a frame's worth is one step
    start = time.monotonic()
    sched.keep_playing(run)
    while run.steps == 0 and time.monotonic() - start < 1:
        time.sleep(0.002)
    assert run.steps >= 1 and time.monotonic() - start < 0.15   # without the first credit: 0.25 s


def test_a_failing_slice_stops_play_and_says_why():
    class Broken(FakeRun):
        failure = None

        def train_slice(self, steps, seconds=0.02):
            raise FloatingPointError("weights overflowed")
    run = Broken()
    sched = Scheduler(workers=1)
    sched.keep_playing(run)
    deadline = time.monotonic() + 5
    while run.playing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not run.playing and "weights overflowed" in run.failure


def test_the_cores_a_container_may_use(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert live.cgroup_cpu_quota(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert live.cgroup_cpu_quota(tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000")
    assert live.cgroup_cpu_quota(tmp_path) == 0.5
    assert live.cgroup_cpu_quota(tmp_path / "none") is None
    assert 1 <= live.usable_cpus() <= (live.os.cpu_count() or 1)


def test_the_trainers_threads_follow_the_affinity_and_the_quota_not_the_hosts_cores(monkeypatch):
    """A pod given one core on a many-core host got a trainer thread per host core (os.cpu_count)."""
    monkeypatch.setattr(live.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(live.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    for quota, cores in [(None, 8), (1.0, 1), (0.5, 1), (2.5, 3), (32.0, 8)]:
        monkeypatch.setattr(live, "cgroup_cpu_quota", lambda q=quota: q)
        assert live.usable_cpus() == cores, quota
    monkeypatch.setattr(live.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    monkeypatch.setattr(live, "cgroup_cpu_quota", lambda: None)
    assert live.usable_cpus() == 1
    started = []
    monkeypatch.setattr(live.threading, "Thread",
                        lambda **kw: SimpleNamespace(start=lambda: started.append(kw["name"])))
    live.Scheduler()
    assert started == ["nnp-trainer-0"]
