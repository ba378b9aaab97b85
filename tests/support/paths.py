"""Where the checkout is: every test and helper finds files from here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
