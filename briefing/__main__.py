"""`python -m briefing` runs the command line, as the `briefing` command does.

Run by a Python that lacks briefing's dependencies (the system's, say, in the
repository's folder), it says how to get one that has them, in one line. Nothing
runs when a spawned worker process imports it again.
"""

import os
import sys

if __name__ == "__main__":
    try:
        from .cli import main
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] == "briefing":
            raise  # a module of briefing itself is missing: a broken install, shown as it is
        sys.exit(
            f"briefing: error: this Python ({sys.executable}) lacks briefing's dependencies "
            f"(no module named {missing.name!r}); run .venv/bin/briefing after `make brief` "
            f"in the repository, or install briefing into this Python: "
            f"{os.path.basename(sys.executable)} -m pip install ."
        )

    main()
