"""iacli: one command line, one blueprint format, AWS and Azure, with an offline sandbox."""

__version__ = "0.1.0"
