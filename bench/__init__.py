"""The benchmark: `python -m bench` (see README.md in this folder)."""
