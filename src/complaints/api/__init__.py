"""The web: customer pages (intake, tracking, survey), the intake API and the staff API."""
