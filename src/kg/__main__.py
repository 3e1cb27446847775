import sys

from kg.cli import main

# Guarded so that worker processes started with multiprocessing's "spawn" do not re-run the CLI.
if __name__ == "__main__":
    sys.exit(main())
