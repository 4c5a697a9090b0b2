"""The demo: six sample complaints through every path, with the real flows."""
