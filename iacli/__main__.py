"""Allow `python -m iacli`."""
from iacli.cli.app import main

main()
