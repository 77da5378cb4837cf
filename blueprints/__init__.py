"""iacli's built-in blueprints: data only, one folder per blueprint."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
