"""Where reports are built: in this process, in worker processes, or on a Dask cluster.

The builder is a pure function per report (text → the N-Quads of its named graph), so any of these gives
the same graph.  Inputs are consumed lazily and only a bounded number of reports is in flight at a time,
so memory stays flat however large the corpus.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from govkg.builders.pipeline import GraphPayload

Item = tuple[str, str, str, bool]   # (text, source name, encoding, text differs from the file)


def _build(item: Item) -> GraphPayload:
    # imported here: spaCy takes seconds to import, and only a build needs it (not query, view or spread)
    from govkg.builders.pipeline import build_payload
    return build_payload(*item)


def run_builders(items: Iterable[Item], *, workers: int = 1, engine: str = "local",
                 scheduler: str | None = None, window: int = 16) -> Iterator[GraphPayload]:
    """Payloads in input order (so every engine yields the same sequence)."""
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
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        yield from _bounded(lambda fn, item: client.submit(fn, item, pure=False), items,
                            window * max(1, workers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
