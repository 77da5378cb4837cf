"""The command line. Importing it prepares the process for a short-lived CLI run."""

import os

# pydantic scans every installed distribution for plugins on first use (~17 ms per command); iacli's
# models need none. A user who relies on a pydantic plugin can still set the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
