#!/usr/bin/env python
"""Django's command-line utility for Thongthin."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# platform/ holds the project package `config`; it is a plain folder, never a package,
# so that the stdlib `platform` module stays importable (see docs/architecture.md).
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
