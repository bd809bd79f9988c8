"""管理服务: procedures, leader coverage, problems (and those unresolved for 3+ months), approval-to-start days, statistics
inclusion — the dimension's common layout alone (tiles, trends and bars: pages/__init__.py)."""
from ui.page import serve

if __name__ == "__main__":
    serve()
