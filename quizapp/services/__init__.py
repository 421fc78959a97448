"""Use cases: load rows, call the domain, write rows. Services flush and never commit; the caller commits once."""
