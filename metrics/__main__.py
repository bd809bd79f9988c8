"""`python -m metrics …`, the command line's old name: offices call it from scripts and cron, so it stays and runs
`python -m reports …` (indicators, ranking, lists, bulletin, bulletin-template) with the same arguments.

Nothing of reports/ is imported here: metrics/ stays below it; the command is handed over as a whole."""
import runpy

if __name__ == "__main__":
    runpy.run_module("reports", run_name="__main__", alter_sys=True)
