"""`python -m streams …` is the `newsstream` command."""

from streams.commands import main

if __name__ == "__main__":  # not when a spawned child process (the NLP process) re-imports this module
    main()
