"""/duel, 县区对比's address until it was named for what it is (pages/comparison.py): links shared in chat groups and
screen playlists still open the comparison here. Streamlit needs the file to open the address as a first link."""
from pages.comparison import render
from ui.page import serve

if __name__ == "__main__":
    serve(render)
