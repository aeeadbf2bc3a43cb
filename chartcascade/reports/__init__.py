"""pandas analytics of the stored cascade, the completeness audit, and report files.

`artists.artist_analytics`, `tracks.track_analytics`, `completeness.completeness` (with
`publish_completeness` for a run's artifacts), `export.write_table` and
`html.write_html_report`.
"""
