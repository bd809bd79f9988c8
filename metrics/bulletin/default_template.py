"""`python -m metrics.bulletin.default_template`, the old name of `python -m reports.bulletin.default_template`
(rebuilds the shipped default bulletin template), kept so a documented command keeps working."""
import runpy

if __name__ == "__main__":
    runpy.run_module("reports.bulletin.default_template", run_name="__main__", alter_sys=True)
