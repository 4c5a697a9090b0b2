"""Use cases: each owns its transaction and writes the change, its Event and its e-mails together."""
