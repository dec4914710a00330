"""`newsstream web`: the read-only query API under /api/v1 over the store, on its own port."""
