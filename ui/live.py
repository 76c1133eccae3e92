"""The live loop shared by pages: one process-wide training scheduler, one bounded frame loop per tab.

One server process serves every tab, and its Python runs one thread at a time.
Measured with the earlier loop (each tab training and drawing in its own
one-second fragment box, rerun every 50 ms), ten playing tabs starved the
event loop and the whole server trained less than one tab alone. So:

- Training runs on the worker threads of one ``Scheduler`` per process, in
  slices of at most ``ui.run.SLICE_SECONDS``; Numba releases the GIL inside the
  kernels, so training uses the second core while script threads draw. The
  tab that has received the least training time goes next (fair shares), and
  a run with a pace (epochs per frame on a page that counts them) gets no more than its pace.
- Each playing tab runs one fragment that draws the latest snapshot for a
  time box, at a frame interval the scheduler sets from the measured cost of a
  frame and the number of playing tabs: the total drawing work of the process
  stays bounded, and under load each tab shows fewer frames with more epochs
  in each instead of stalling. ``run_every`` continues the fragment; the server
  keeps at most one pending rerun per fragment, so a tab never queues more
  reruns than the server completes.
- A tab renews a lease with every frame. A hidden tab (the canvas reports it)
  or a closed one stops renewing, and its training stops.
- Play and Pause sit outside the fragment; the loop naps in short steps and
  touches session state between them, a point where Streamlit honours a
  pending click, so Pause cuts in at once.
"""
import logging
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

from .run import SLICE_SECONDS
from .state import take_app_rerun

FRAME_BOX = 2.0          # seconds of frames per fragment run
RERUN_EVERY = 1.0        # the fragment's run_every: a continuation is always pending when a box ends
MAX_FPS = 40
DRAW_SHARE = 0.5        # of one core: what all tabs' frames may cost together (the event loop needs the rest)
LEASE_SECONDS = 2.5      # training stops this long after a tab's last frame
NAP = 0.02               # the loop's sleep step: bounds how late a Pause is seen
POLL = 0.005             # how soon the loop looks again when no new snapshot was there
MAX_BURST = 0.25         # seconds of a paced run's steps that may pile up while it waits
UNPACED_STEPS = 10**6    # an unpaced slice is bounded by time only
SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while another waits
ROUND = 0.25             # under load, slices shrink so every playing run gets one this often
MIN_SLICE = 0.005
TRAINER_NICE = 10        # training fills the CPU that is left: the event loop and the frames go first

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Job:
    run: object
    lease: float
    served: float = 0.0       # training seconds received: the least served goes next
    credit: float = 0.0       # steps owed under the run's pace
    topped: float = 0.0       # when the credit was last topped up
    busy: bool = False


class Scheduler:
    """Trains every playing tab's run on worker threads; shares time fairly; sets the frame rate."""

    def __init__(self, workers=None):
        self._jobs = {}
        self._cv = threading.Condition()
        self.frame_cost = 0.004          # a frame's script-thread CPU seconds (moving average)
        workers = workers or max(1, usable_cpus() - 1)
        for i in range(workers):
            threading.Thread(target=self._work, name=f"nnp-trainer-{i}", daemon=True).start()

    # -- the tabs' side -------------------------------------------------------
    def keep_playing(self, run):
        """Train ``run`` until LEASE_SECONDS after the last call."""
        now = time.monotonic()
        with self._cv:
            job = self._jobs.get(id(run))
            if job is None or job.run is not run:
                floor = min((j.served for j in self._jobs.values()), default=0.0)
                pace = run.steps_per_second()          # a frame's steps at once: Play shows at once
                job = self._jobs[id(run)] = _Job(run, now, served=floor, topped=now,
                                                 credit=_chunk(pace) if pace else 0.0)
                self._cv.notify_all()
            job.lease = now + LEASE_SECONDS

    def stop(self, run):
        with self._cv:
            job = self._jobs.get(id(run))
            if job is not None and job.run is run:
                del self._jobs[id(run)]

    def is_training(self, run):
        job = self._jobs.get(id(run))
        return job is not None and job.run is run and job.lease > time.monotonic()

    @property
    def playing(self):
        now = time.monotonic()
        return sum(1 for j in list(self._jobs.values()) if j.lease > now)

    def frame_interval(self):
        """Seconds between two frames of one tab: all tabs' frames together stay within DRAW_SHARE."""
        return max(1.0 / MAX_FPS, max(self.playing, 1) * self.frame_cost / DRAW_SHARE)

    def frame_drawn(self, cpu_seconds):
        self.frame_cost += 0.1 * (min(cpu_seconds, 0.5) - self.frame_cost)

    # -- the workers' side ----------------------------------------------------
    def _pick(self):
        """(job, steps) to train next, or (None, seconds to wait)."""
        now = time.monotonic()
        ready, wait = [], 0.1
        for key, job in list(self._jobs.items()):
            if job.lease <= now or not job.run.playing:
                del self._jobs[key]
                continue
            if job.busy:
                continue
            pace = job.run.steps_per_second()
            if pace is None:
                ready.append((job, UNPACED_STEPS))
                continue
            job.credit = min(job.credit + pace * (now - job.topped), pace * MAX_BURST)
            job.topped = now
            chunk = _chunk(pace)
            if job.credit >= chunk:
                ready.append((job, int(job.credit)))
            else:
                wait = min(wait, (chunk - job.credit) / pace)
        if not ready:
            return None, max(wait, 0.002)
        return min(ready, key=lambda pair: pair[0].served)

    def slice_seconds(self):
        """A slice's length: SLICE_SECONDS alone, shorter when many runs play, so each one's Step
        moves several times a second (30 tabs on two processes: 17 ms slices, not 30)."""
        return min(SLICE_SECONDS, max(MIN_SLICE, ROUND / max(self.playing, 1)))

    def _work(self):
        _lower_priority()
        while True:
            with self._cv:
                job, steps = self._pick()
                if job is None:
                    self._cv.wait(steps)
                    continue
                job.busy = True
            start = time.perf_counter()
            done = 0
            try:
                done = job.run.train_slice(steps, self.slice_seconds())
            except Exception as err:               # a broken run must not take the worker down
                log.exception("training slice failed")
                job.run.playing = False
                job.run.failure = f"Training stopped: {type(err).__name__}: {err}"
            with self._cv:
                job.busy = False
                job.served += time.perf_counter() - start
                job.credit = max(0.0, job.credit - done)


def usable_cpus():
    """The cores this process may use: its CPU affinity, capped by a container's CPU quota
    (cgroup v2 ``cpu.max`` or v1 ``cfs_quota_us``): a pod given one core on a 64-core host
    gets one, not 64 (``os.cpu_count`` counts the host's)."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = cgroup_cpu_quota()
    return max(1, min(n, math.ceil(quota))) if quota else n


def cgroup_cpu_quota(root=Path("/sys/fs/cgroup")):
    """Cores the container's CPU quota allows (1.5 for 150 ms of each 100 ms), or None for none."""
    try:
        limit, period = (root / "cpu.max").read_text().split()[:2]           # cgroup v2: "max 100000"
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())         # cgroup v1: -1 for none
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def _lower_priority():
    """This thread at nice TRAINER_NICE (Linux sets it per thread). Measured with 30 playing tabs
    on serve.sh 2 (bench/load.py): health checks through nginx took p95 0.5-3.0 s with training
    at the event loop's priority, 0.14 s at nice 10, with as many updates a second."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRAINER_NICE)
    except (AttributeError, OSError):
        pass


def _chunk(pace):
    """The fewest steps a paced run trains at a time: one frame's worth at the top frame rate."""
    return max(1, round(pace / MAX_FPS))


@st.cache_resource(show_spinner=False)
def scheduler():
    """The process-wide scheduler (immutable to callers; its own lock guards its jobs)."""
    # A trainer thread coming back from a GIL-free kernel waits for the GIL up to the switch
    # interval, several times a slice: 5 ms (Python's default) cost a single tab a quarter
    # of its pace; 1 ms keeps the pace.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return Scheduler()


def _click_waiting():
    """True when a click in this tab (a widget or canvas event, not a timer) waits for the box to end.

    Streamlit lets a fragment's own rerun wait until the running one ends; the loop ends its box
    early instead, so a click shows within a frame. A click merged with a timer's rerun that came
    after it is flagged as the timer's (an automatic rerun), but it still carries the click's trigger:
    that counts too (a canvas click waited up to the whole box, 2 of 10 feature toggles). This reads
    ScriptRequests' private state: if a Streamlit release changes it, the answer is False and a click
    waits for the box as before."""
    try:
        requests = get_script_run_ctx().script_requests
        if requests._state != ScriptRequestType.RERUN:
            return False
        data = requests._rerun_data
        return not data.is_auto_rerun or any(_active_trigger(w) for w in (data.widget_states.widgets
                                                                          if data.widget_states else ()))
    except Exception:
        return False


def _active_trigger(state):
    """True for a widget state that holds a click not yet delivered (a button's or a canvas's trigger)."""
    kind = state.WhichOneof("value")
    return kind in ("trigger_value", "json_trigger_value", "string_trigger_value") and bool(
        getattr(state, kind).ListFields() if kind == "string_trigger_value" else getattr(state, kind))


def _nap_until(deadline):
    """Sleep until ``deadline`` in short steps, touching session state after each: a
    point where Streamlit stops this run for a pending click (Pause)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(NAP, left))
        _ = "_" in st.session_state


def live(page, run, make_slots, draw, max_fps=MAX_FPS):
    """Show the live view of ``run``. ``make_slots()`` lays out placeholders and returns them;
    ``draw(slots, interactive)`` draws ``run.snap`` into them. Paused (or hidden), the view is
    drawn once, interactive. Playing, frames are drawn whenever the scheduler has published a
    new snapshot, at the scheduler's frame interval, for FRAME_BOX seconds a fragment run.
    ``max_fps`` caps a page whose frames cost the browser more (several canvases, large maps)."""
    sched = scheduler()

    def interval():
        return max(sched.frame_interval(), 1.0 / max_fps)

    looping = run.playing and run.visible

    @st.fragment(run_every=RERUN_EVERY if looping else None)
    def view():
        if take_app_rerun(page) or (looping and not run.playing):
            st.rerun(scope="app")                  # a callback changed the page, or the run diverged
        slots = make_slots()
        draw(slots, interactive=not looping)
        if not (looping and run.visible):
            sched.stop(run)
            return
        sched.keep_playing(run)
        drawn, end = run.version, time.monotonic() + FRAME_BOX
        next_frame = time.monotonic() + interval()
        while time.monotonic() < end:
            _nap_until(next_frame)
            if not run.playing or not run.visible:
                st.rerun(scope="app")
            if _click_waiting():
                return
            sched.keep_playing(run)
            if run.version == drawn:             # nothing new yet: look again soon, not a whole frame later
                next_frame = time.monotonic() + POLL
                continue
            drawn, frame_start = run.version, time.monotonic()
            start = time.thread_time()
            draw(slots, interactive=False)
            sched.frame_drawn(time.thread_time() - start)
            next_frame = frame_start + interval()      # the interval counts from the frame's start

    view()
