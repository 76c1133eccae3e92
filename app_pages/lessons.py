"""Lessons: a guided course through every concept, each lesson checked against the live run."""
from ui.lessons.course import show_course
from ui.warmup import warmup

warmup().ready(("dense",))       # the first lessons are on the MLP page: compile its kernels meanwhile
show_course()
