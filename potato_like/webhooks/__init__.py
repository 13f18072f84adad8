"""Outgoing webhooks: one outbox (outbox.py) for every event the server announces, signed
the Standard Webhooks way (signing.py), delivered by a background thread (worker.py)."""
