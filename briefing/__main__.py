"""`python -m briefing` runs the command line."""

if __name__ == "__main__":  # not when a spawned worker process imports it again
    from .cli import main

    main()
