"""`python -m central.cli` is `hymy-central`."""

from central.cli import main

main()
