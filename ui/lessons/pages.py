"""The pages a lesson can open: their settings and run classes, their file and their runs' titles.

A new page joins the course with one entry here (an autoencoder page, say); its
lessons then name it in their ``page`` key. Classes are imported when first
needed, so reading the course does not load every page.
"""
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class LessonPage:
    name: str              # the page's name and URL path ("mlp")
    title: str             # how the course names it
    settings: str          # "module:Class" of its ui.settings.Settings subclass
    run: str               # "module:Class" of its ui.run.Run subclass
    runs: tuple = ()       # titles a check's ``run`` may name (compare mode), if the page trains several

    @property
    def path(self):
        """Its file, as app.py's navigation names it (st.page_link takes it)."""
        return f"app_pages/{self.name}.py"

    @property
    def settings_class(self):
        return _load(self.settings)

    @property
    def run_class(self):
        return _load(self.run)


def _load(where):
    module, name = where.split(":")
    return getattr(import_module(module), name)


PAGES = {p.name: p for p in (
    LessonPage("mlp", "MLP playground", "ui.mlp.settings:MlpSettings", "ui.mlp.run:MlpRun"),
    LessonPage("cnn", "CNN playground", "ui.cnn.settings:CnnSettings", "ui.cnn.run:CnnRun",
               runs=("Reused", "From scratch")),
    LessonPage("rnn", "RNN playground", "ui.rnn.settings:RnnSettings", "ui.rnn.run:RnnRun",
               runs=("RNN", "LSTM", "GRU")),
    LessonPage("autoencoder", "Autoencoder", "ui.autoencoder.settings:AutoencoderSettings",
               "ui.autoencoder.run:AutoencoderRun"),
)}
