"""A page's network as a Jupyter notebook (``nbformat`` v4): the exported script's sections, each a
Markdown cell in the page's words above its code cell, with the notebook's own settings cell (plain
values instead of a command line)."""
from . import keras, pytorch
from .script import FRAMEWORKS

EXPORTERS = {"pytorch": pytorch, "keras": keras}


def file_name(recipe, framework="pytorch"):
    return f"{recipe.page}_{framework}.ipynb"


def notebook(recipe, framework="pytorch"):
    """The notebook as an ``nbformat.NotebookNode`` (validated)."""
    import nbformat                # here, not at the top: its 0.2 s import would delay every page's first visit
    from nbformat import v4
    exporter = EXPORTERS[framework]
    link = f"\n\nThe page with these settings: <{recipe.link}>" if recipe.link else ""
    start = (f" It starts from the weights the page had at step {recipe.step:,} (epoch {recipe.epoch:,}) when "
             "`weights.npz` sits beside it." if recipe.step else "")
    cells = [v4.new_markdown_cell(
        f"# {recipe.title} in {FRAMEWORKS[framework]}\n\n"
        "The network you trained in the neural-network playground, written out so you can run it, change it "
        f"and train it further here.{start}{link}\n\n"
        "Run the cells in order (Run All). Each part says first what it does.")]
    if recipe.words.get("page"):
        cells.append(v4.new_markdown_cell("## What the page showed\n\n" + recipe.words["page"]))
    for section in exporter.sections(recipe):
        cells.append(v4.new_markdown_cell(section.words))
        cells.append(v4.new_code_cell(section.cell(notebook=True).rstrip()))
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def notebook_text(recipe, framework="pytorch"):
    """The notebook as the text of an ``.ipynb`` file."""
    import nbformat
    return nbformat.writes(notebook(recipe, framework))
