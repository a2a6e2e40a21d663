"""The report's section on the directory at scale (bench/directory_scale.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bench.dataset import NOW
from bench.directory_scale import LIMIT, RECENT_CHANGES, SNAPSHOT_AGE, DirectoryScaleResult


def _label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else f"{size:,}"


def _ratio(small: int, large: int) -> str:
    return "—" if small == 0 and large == 0 else ("∞" if small == 0 else f"{large / small:.2f}")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|---|" + "---:|" * (len(header) - 1),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def shape_table(results: Sequence[DirectoryScaleResult]) -> list[str]:
    first, last = results[0], results[-1]
    header = ["query (limit 20)"]
    for result in results:
        label = _label(result.mentors)
        header += [f"page 1 / total @{label}", f"requests @{label}", f"items read @{label}", f"p50 / p99 ms @{label}"]
    header += [f"ratio requests, items ({_label(last.mentors)} / {_label(first.mentors)})"]
    rows = []
    for index, shape in enumerate(first.shapes):
        row = [shape.name.replace("|", "\\|")]
        for result in results:
            measured = result.shapes[index]
            row += [
                f"{measured.count} / {measured.total:,}",
                str(measured.cost.requests),
                str(measured.cost.items_read),
                f"{measured.p50_ms:.1f} / {measured.p99_ms:.1f}",
            ]
        big = last.shapes[index].cost
        row.append(f"{_ratio(shape.cost.requests, big.requests)}, {_ratio(shape.cost.items_read, big.items_read)}")
        rows.append(row)
    return _table(header, rows)


def load_table(results: Sequence[DirectoryScaleResult]) -> list[str]:
    header = ["mentors", "seeding s", "snapshot KB (compressed)", "chunks", "cold load: requests", "items read", "seconds"]
    rows = [
        [
            f"{result.mentors:,}",
            f"{result.seed_seconds:.1f}",
            f"{result.snapshot_bytes / 1000:,.0f}",
            str(result.snapshot_chunks),
            f"{result.load.requests} ({', '.join(f'{n} {op}' for op, n in sorted(result.load.operations.items()))})",
            str(result.load.items_read),
            f"{result.load_seconds:.2f}",
        ]
        for result in results
    ]
    return _table(header, rows)


def section(results: Sequence[DirectoryScaleResult]) -> list[str]:
    growing = [
        shape.name
        for index, shape in enumerate(results[0].shapes)
        if results[-1].shapes[index].cost.requests > shape.cost.requests * 1.1
        or results[-1].shapes[index].cost.items_read > shape.cost.items_read * 1.1
    ]
    return [
        "## The directory at scale",
        "",
        "`bench.directory_scale`: GET /mentors through the real handler against a directory of each size. The "
        f"table holds the directory's snapshot as a compaction {SNAPSHOT_AGE.seconds // 60} minute before "
        f"{NOW:%Y-%m-%dT%H:%MZ} wrote it, and the profiles of {RECENT_CHANGES} mentors who changed since (the other "
        "profiles are not written: no directory read touches them). Each query is counted with the instance's "
        "read of changes forced (the worst case: the request that pays the sync, one Query per shard of each "
        "hour since the last read minus the overlap); p50/p99 time warm requests of an instance that synced within "
        f"its interval. Every page before the last must hold {LIMIT} (the bench fails otherwise).",
        "",
        *shape_table(results),
        "",
        "Query costs that grow with the mentors: " + (", ".join(growing) + "." if growing else "none."),
        "",
        "The cold load (a new instance's first request): the snapshot's head, its chunks in one BatchGetItem, "
        "and the changes since it. It grows with the mentors, in bytes and time, once per instance.",
        "",
        *load_table(results),
        "",
    ]
