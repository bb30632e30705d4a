"""``python -m scoreline`` runs the command line."""

from scoreline.cli.app import main

main()
