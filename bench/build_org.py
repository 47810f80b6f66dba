"""``python -m bench.build_org --scale 0.02``: build an org in DATABASE_URL.

The users' password comes from BENCH_PASSWORD (never a command-line argument).

bench/run.py builds the small org this way, in its own process and database,
beside the large one it builds in-process. Prints the org's counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from bench.build import build

    counts = build(password=os.environ["BENCH_PASSWORD"], scale=args.scale)
    # As the large org (bench/run.py): vacuumed and analyzed, as autovacuum leaves a
    # database that has lived a while.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
