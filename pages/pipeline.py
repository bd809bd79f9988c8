"""谋划招商: pipeline investment, reserve conversion, signed projects and their start rate — the dimension's common layout
alone (tiles, trends and bars: pages/__init__.py)."""
from ui.page import serve

if __name__ == "__main__":
    serve()
