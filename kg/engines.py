"""Where reports are built: in this process, in worker processes, or on a Dask cluster.

The builder is a pure function per report (text → the N-Quads of its named graph), so any of these gives
the same graph.  Inputs are consumed lazily and only a bounded number of reports is in flight at a time,
so memory stays flat however large the corpus.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govkg.builders.pipeline import GraphPayload
    from govkg.builders.text import ReportInputs

Item = tuple[str, str, str, bool, "ReportInputs | None"]   # (text, source name, encoding, text differs, inputs)


@dataclass(frozen=True)
class Failed:
    """A report whose build raised: its name and the reason, in place of its payload."""
    source_name: str
    reason: str


def _build(item: Item) -> GraphPayload | Failed:
    # imported here: spaCy takes seconds to import, and only a build needs it (not query, view or spread)
    from govkg.builders.pipeline import build_payload
    # Any failure inside one report's build (spaCy's E088 on a very long sentence, a rule that trips on odd
    # text …) belongs to that report: it is returned, not raised, so the rest of the corpus is stored.
    try:
        return build_payload(*item)
    except Exception as e:  # noqa: BLE001 - reported per file with its reason
        first = (str(e).strip().splitlines() or [""])[0]
        first = first[:first.index(". ") + 1] if ". " in first else first   # the first sentence says it
        return Failed(item[1], f"build failed: {type(e).__name__}: {first[:200]}")


def run_builders(items: Iterable[Item], *, workers: int = 1, engine: str = "local",
                 scheduler: str | None = None, window: int = 16) -> Iterator[GraphPayload | Failed]:
    """Payloads in input order (so every engine yields the same sequence); a `Failed` for a report whose
    build raised."""
    if engine == "dask":
        yield from _dask(items, workers, scheduler, window)
    elif engine != "local":
        raise ValueError(f"unknown engine {engine!r} (local or dask)")
    elif workers <= 1:
        for item in items:
            yield _build(item)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from _bounded(pool.submit, items, window * workers)


def _bounded(submit, items: Iterable[Item], limit: int) -> Iterator[GraphPayload]:
    pending: deque = deque()
    for item in items:
        pending.append(submit(_build, item))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _dask(items: Iterable[Item], workers: int, scheduler: str | None, window: int) -> Iterator[GraphPayload]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("the Dask engine needs `pip install 'govkg[dask]'`") from e
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # No dashboard, and the scheduler's HTTP endpoints (which it opens even without a dashboard, on
        # port 8787 of every interface) on a loopback port of its own; the cluster listens on loopback only.
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
        client = Client(cluster)
    try:
        yield from _bounded(lambda fn, item: client.submit(fn, item, pure=False), items,
                            window * max(1, workers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
