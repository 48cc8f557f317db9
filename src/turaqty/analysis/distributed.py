"""Chunks of a robustness run on a ``dask.distributed`` cluster (the optional extra
``turaqty[dask]``): a local cluster of ``workers`` processes, or the scheduler at an address.
The engine is sent to the workers once; each chunk comes back as a tally, in order, so the
results equal a local run's.
"""
from __future__ import annotations

from collections.abc import Callable

from turaqty.errors import Problem, UsageError


def run_on_dask(task_function: Callable, engine, factors, tasks: list, threads: int,
                workers: int | None, scheduler: str | None,
                progress: Callable[[int, int], None] | None = None) -> list:
    """``task_function(engine, factors, task, threads)`` for every task, on the cluster."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(Problem("dask_missing")) from None
    if workers is not None and workers < 1:
        raise UsageError(Problem("robustness_count", column="workers", value=workers,
                                 params={"low": 1, "high": 1024}))
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as err:
        raise UsageError(Problem("dask_scheduler", value=scheduler or "local",
                                 params={"reason": str(err)[:200]})) from None
    try:
        shared_engine, shared_factors = client.scatter([engine, factors], broadcast=True)
        futures = client.map(task_function, [shared_engine] * len(tasks),
                             [shared_factors] * len(tasks), tasks, [threads] * len(tasks), pure=False)
        done = 0
        for _ in as_completed(futures):
            done += 1
            if progress is not None:
                progress(done, len(tasks))
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
