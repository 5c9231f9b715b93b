"""``python -m ledger.verify``."""

from __future__ import annotations

import sys

from ledger.verify.cli import main

sys.exit(main())
