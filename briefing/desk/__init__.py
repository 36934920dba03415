"""The daily desk: a brief that knows what the desk's last brief said.

``lines`` gives each line a stable id; ``history`` keeps every brief in SQLite;
``news`` marks what is new against the last brief; ``edits`` holds the desk
officer's pins and drops; ``verify`` checks a brief's citations again.
"""
