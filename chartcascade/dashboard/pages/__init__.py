"""One module per dashboard page: each renders its HTML from the database URL and its inputs."""
