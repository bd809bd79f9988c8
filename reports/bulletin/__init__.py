"""月通报: the monthly bulletin as a Word document (and its tables as a workbook), built only from metrics/.

content collects every figure and table once; words writes the sentences; document puts them into the Word
template (template: placeholders, rendering, the upload check; styles; default_template builds the shipped one);
cli is `python -m reports bulletin` and `bulletin-template`. Every figure comes from metrics.engine / ranking /
watchlists and is formatted with metrics.format, so the bulletin, the workbook, the pages and the CLI agree to the digit.
"""
from reports.bulletin.cli import add_cli
from reports.bulletin.content import KEY_FIGURES, Bulletin, build_workbook, collect
from reports.bulletin.document import build_both, build_bulletin, office_bulletin
from reports.bulletin.words import summary_sentences

__all__ = ["Bulletin", "KEY_FIGURES", "add_cli", "build_both", "build_bulletin", "build_workbook", "collect",
           "office_bulletin", "summary_sentences"]
