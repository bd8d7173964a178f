"""`python -m kam`: the same as the `kam` command."""

from kam.cli.main import main

main()
