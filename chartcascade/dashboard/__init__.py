"""The read-only web dashboard over the project database (`chartcascade dashboard`)."""
