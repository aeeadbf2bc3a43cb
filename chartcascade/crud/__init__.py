"""Database helpers, one module per noun.

Every helper takes a `Session` and keyword-only arguments, writes in batches with upserts on
natural keys, returns what it wrote, and never commits: the caller's `session_scope` does.
"""
