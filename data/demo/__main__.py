"""`python -m data.demo`: regenerate the demo store (the same as `python -m data demo`)."""
from data.demo.simulate import generate

if __name__ == "__main__":
    for path in generate():
        print(path)
