"""What a lesson's checks cost the live loop: server time per frame to evaluate them and build their frame.

For every lesson: play its solution (ui/lessons/solve.py), then time what the page's live frame does
for the lesson, many times over: evaluate every check against the runs' snapshots and build the JSON
frame the panel reads. "page drew" is the live case: the page has already drawn this snapshot (an RNN's
trace through time and the text sample are the page's own work, read by the checks); "new snapshot"
times a fresh snapshot each frame, so whatever a metric computes per snapshot is in it too.

    .venv/bin/python bench/lesson_checks.py [--repeat 300] [lesson ids...]
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui.lessons.checks import evaluate, evaluate_check   # noqa: E402
from ui.lessons.model import load_course                # noqa: E402
from ui.lessons.solve import draw_like_the_page, play   # noqa: E402


def frame_work(lesson, run, snaps):
    """The lesson's part of one live frame (ui/lessons/panel.py, LessonPanel.live), Streamlit aside."""
    results = evaluate(lesson, run, snaps)
    payload = {"lesson": lesson.id, "locked": False, "ticks": [r.id for r in results if r.met],
               "checks": [r.as_dict() for r in results]}
    return json.dumps(payload, separators=(",", ":"))


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1e3, times[int(0.99 * (len(times) - 1))] * 1e3


def measure(lesson, repeat):
    run, _ = play(lesson)
    draw_like_the_page(run)
    snaps = [r.shown for r in run.runs]
    for r, s in zip(run.runs, snaps):                  # what the page's own view computes for this snapshot
        if hasattr(r, "views"):
            r.views(s)
    frame_med, frame_max = timed(lambda: frame_work(lesson, run, snaps), repeat)
    per_check = max(timed(lambda c=c: evaluate_check(c, lesson.fields, run.settings, run.runs, snaps), repeat)[0]
                    for c in lesson.checks)

    def fresh():                                       # a new snapshot each frame (the caches miss)
        fresh_snaps = [r.trainer.snapshot() for r in run.runs]
        start = time.perf_counter()
        frame_work(lesson, run, fresh_snaps)
        return time.perf_counter() - start
    cold = [fresh() for _ in range(max(10, repeat // 10))]
    return frame_med, frame_max, per_check, statistics.median(cold) * 1e3, len(lesson.checks)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("lessons", nargs="*")
    args = ap.parse_args()
    course = load_course()
    print(f"{'lesson':26} {'checks':>6} {'frame median':>13} {'frame p99':>10} {'slowest check':>14} "
          f"{'new snapshot':>13}   (ms)")
    worst = 0.0
    for lesson in course.lessons:
        if args.lessons and lesson.id not in args.lessons:
            continue
        med, mx, check, cold, n = measure(lesson, args.repeat)
        worst = max(worst, med)
        print(f"{lesson.id:26} {n:6} {med:13.3f} {mx:10.3f} {check:14.3f} {cold:13.3f}")
    print(f"worst median frame: {worst:.3f} ms (budget: 1 ms a frame; the page evaluates at most ~7 frames a second)")


if __name__ == "__main__":
    main()
