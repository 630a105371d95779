"""`python -m stdkg …` is the same as the `stdkg` command."""

from .cli import main

main(prog_name="stdkg")
