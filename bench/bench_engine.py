"""Engine throughput and latency on a temporary database: prints figures, asserts nothing.

.venv/bin/python bench/bench_engine.py [--messages 2000] [--contacts 200]
"""

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from nongbao.db import Storage  # noqa: E402
from nongbao.engine import Engine  # noqa: E402

MESSAGES = [
    "养老保险分几档", "我45岁，每年交600，60岁能领多少？", "0", "全部", "菜单", "1", "2", "新农合住院报销多少",
    "how do I pay online", "低保怎么申请", "谢谢", "今天猪肉什么价", "梅县区", "TD",
]  # fmt: skip


def _run(engine: Engine, count: int, contacts: int, offset: int = 0) -> list[float]:
    timings = []
    for n in range(offset, offset + count):
        phone = f"+86130{n % contacts:08d}"
        text = MESSAGES[(n // contacts) % len(MESSAGES)]
        started = time.perf_counter()
        engine.receive(phone, text, "api")
        timings.append(time.perf_counter() - started)
    return timings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE": str(Path(folder) / "bench.db"), "LOG_LEVEL": "WARNING"})
        store = Storage(app.config["DATABASE"])
        engine = Engine(store, app.config)
        engine.receive("+8613000000000", "你好", "api")  # build the content cache outside the timing
        started = time.perf_counter()
        timings = sorted(_run(engine, args.messages, args.contacts))
        elapsed = time.perf_counter() - started
        tracemalloc.start()  # a separate, shorter pass: tracing slows everything down
        _run(engine, 200, args.contacts, offset=args.messages)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        store.close()
    print(f"messages: {args.messages} from {args.contacts} contacts in {elapsed:.2f} s")
    print(f"throughput: {args.messages / elapsed:.0f} messages/s (one process, one connection)")
    print(
        f"latency ms: p50 {1000 * statistics.median(timings):.1f}  p95 {1000 * timings[int(0.95 * len(timings))]:.1f}  max {1000 * timings[-1]:.1f}"
    )
    print(f"peak memory allocated while answering 200 more messages: {peak / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
