"""`python -m complaints`."""

from complaints.cli import main

main()
