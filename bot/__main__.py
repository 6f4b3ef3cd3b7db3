"""`python -m bot` is the same as the `modbot` command."""

from bot.cli import main

main()
