"""The demo: nine sample complaints through every path, with the real flows."""
