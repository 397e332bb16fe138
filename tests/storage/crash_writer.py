"""Child of test_crash.py: commit rows until killed, printing each id only after its commit returned.

Usage: python crash_writer.py <database> <first id>   (the key, in hex, on stdin)
"""

from __future__ import annotations

import sys

from sqlalchemy import text

from app.storage.engine import make_engine


def main() -> None:
    path, next_id = sys.argv[1], int(sys.argv[2])
    key = bytes.fromhex(sys.stdin.readline().strip())
    engine = make_engine(path, key)
    with engine.connect() as conn:
        # Checkpoint often, so that some kills land in the middle of one.
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 8")
        conn.commit()
        while True:
            with conn.begin():
                conn.execute(
                    text("INSERT INTO person (id, nik) VALUES (:id, :nik)"),
                    {"id": next_id, "nik": f"3571{next_id:012d}"},
                )
            # Only now is the row promised to the parent.
            print(next_id, flush=True)
            next_id += 1


if __name__ == "__main__":
    main()
