"""/compare, 县区比拼's address until it was named for what it is (pages/ranking.py): links shared in chat groups and
screen playlists still open the ranking here. Streamlit needs the file to open the address as a first link."""
from pages.ranking import render
from ui.page import serve

if __name__ == "__main__":
    serve(render)
