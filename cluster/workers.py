"""A pool of Ray actors that computes online features and scores micro-batches for intake.

Each actor holds the online features (entity profiles, reference data, documents) and the
champion's scorer. Intake sends every batch to every actor, each with the rows it is to
compute (an even, contiguous share):

- Profile consistency by **broadcast**: every actor walks the whole batch in order and, for
  each declaration, first computes its features if the row is its own, then adds the
  declaration to its profiles. So every actor has seen exactly the same declarations, in
  the same order, before computing any row: the features equal the in-process ones bit
  for bit, whichever actor computes them. Inspection outcomes are broadcast the same way.
  Routing by entity cannot do this: a declaration updates six profiles keyed on three
  independent entities (importer, declarant, exporter), so no partition keeps all of a
  declaration's profiles on one actor.
- What scales: the features of one's own rows (the bulk of the feature cost), the score
  and the exact SHAP values. What every actor repeats: adding each declaration to its
  profiles (a fraction of computing its features).
- Scaling: the desired size lives in a named, detached Ray actor (``WorkerTarget``), set
  by ``merak workers scale N`` (or any Ray client). A follower thread of the pool reads it
  every CHECK_EVERY seconds and grows or shrinks: a new actor starts (seconds) while
  batches keep flowing, then joins between two batches with a copy of a live actor's
  profile state, taken after every batch already sent (a Ray actor runs one caller's calls
  in order), so it is consistent from its first batch. An actor that died (``ray kill``,
  a lost node) fails the batch it held (answered RESOURCE_EXHAUSTED, retryable; nothing
  of it is answered as assessed) and is replaced the same way.

Ray is imported lazily; nothing here runs without it.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from merak.core.config import FeatureConfig
from merak.core.errors import OverloadedError

log = logging.getLogger("merak.workers")

NAMESPACE = "merak"
TARGET_PREFIX = "merak-workers-"


def batch_contributions(scorer: Any, x: np.ndarray, cats: Sequence[Sequence[str]]) -> np.ndarray:
    """Exact tree SHAP values ``[n, n_model_features + 1]`` of the rows of ``x`` (rows of
    categorical values as lists of strings, the form ``RiskScorer.explain`` passes)."""
    rows: Any = [list(c) for c in cats]
    return np.asarray(scorer.contributions(x, rows))


def connect_ray(address: str | None) -> Any:
    """The Ray of this process: the running one, else ``address`` (or MERAK_RAY_ADDRESS),
    else a new local one. Call it from the main thread, before serving."""
    import ray

    from merak.cluster._ray import init_ray, resolve_address

    if not ray.is_initialized():
        init_ray(
            resolve_address(address),
            namespace=NAMESPACE,
            include_dashboard=False,
            log_to_driver=False,
        )
    return ray


WORKER_PREFIX = "merak-worker-"
HEAD_RESOURCE = "node:__internal_head__"  # a resource only Ray's head node has


def target_name(group: str) -> str:
    """The Ray name of the actor holding a pool's desired size."""
    return TARGET_PREFIX + group


class WorkerTarget:
    """The desired size of a pool (and the size it reports), in a named detached actor."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._live = 0
        self._changed = time.time()

    def set(self, size: int) -> int:
        if size < 1:
            raise ValueError(f"a worker pool needs at least 1 worker, got {size}")
        self._size = size
        self._changed = time.time()
        return self._size

    def get(self) -> int:
        return self._size

    def report(self, live: int) -> None:
        self._live = live

    def status(self) -> dict[str, Any]:
        return {"desired": self._size, "live": self._live, "changed": self._changed}


@dataclass(frozen=True)
class BatchScores:
    """What a worker computed for its rows of a batch (``rows``: their batch positions)."""

    rows: list[int]
    features: np.ndarray  # [m, n_features]
    probability: np.ndarray
    revenue_at_stake: np.ndarray
    shap: np.ndarray  # [m, n_model_features + 1]
    errors: dict[int, str]  # batch position -> why its features failed


class ScoringWorker:
    """One actor: online features and the scorer of the model versions it was asked for."""

    def __init__(
        self, pool_dir: str, features_dir: str, models_dir: str, features: FeatureConfig
    ) -> None:
        from merak.features import DocumentIndex, OnlineFeatures, ProfileSnapshot, Reference
        from merak.pool import Pool

        cfg = features
        pool = Pool(pool_dir)
        self._online = OnlineFeatures(
            ProfileSnapshot.load(Path(features_dir) / "profiles"),
            Reference.from_pool(pool, cfg),
            DocumentIndex(pool.read("manifests"), pool.read("logistics"), cfg),
        )
        self._models_dir = models_dir
        self._scorers: dict[str, Any] = {}

    def ready(self) -> bool:
        return True

    def node_id(self) -> str:
        """The Ray node this worker runs on (placement checks, operations)."""
        import ray

        return str(ray.get_runtime_context().get_node_id())

    def _scorer(self, version: str) -> Any:
        scorer = self._scorers.get(version)
        if scorer is None:
            from merak.features import catalogue_version
            from merak.scorer import ModelRegistry

            registry = ModelRegistry(Path(self._models_dir))
            scorer = registry.load(version, catalogue_version(self._online.config))
            self._scorers = {version: scorer}  # the previous champion is no longer asked for
        return scorer

    def assess(
        self,
        version: str,
        batch: tuple[Sequence[Any], Sequence[Sequence[str]], Sequence[float]],
        first: int,
        stop: int,
    ) -> BatchScores:
        """Features, scores and SHAP values of rows ``[first, stop)`` of the batch
        (declarations, their categorical ids, their revenue bases); every declaration of the
        batch is added to the profiles, in order."""
        declarations, cats, revenue = batch
        rows = list(range(first, stop))
        errors: dict[int, str] = {}
        try:
            x = self._online.assess_many(declarations, rows)
        except Exception:
            # Nothing was observed: one at a time, so that only the failing rows fail
            # (the in-process path does the same).
            xs: list[np.ndarray] = []
            ok: list[int] = []
            for i, d in enumerate(declarations):
                try:
                    if first <= i < stop:
                        xs.append(self._online.assess(d))
                        ok.append(i)
                    else:
                        self._online.observe_declaration(d)
                except Exception as exc:
                    if first <= i < stop:
                        errors[i] = f"{type(exc).__name__}: {exc}"
            rows = ok
            x = np.stack(xs) if xs else np.zeros((0, 0))
        if not rows:
            empty = np.zeros(0)
            return BatchScores(rows, np.zeros((0, 0)), empty, empty, np.zeros((0, 0)), errors)
        scorer = self._scorer(version)
        c = [list(cats[i]) for i in rows]
        s = scorer.score(x, np.array(c, dtype=object), np.array([revenue[i] for i in rows]))
        phi = batch_contributions(scorer, x, c)
        return BatchScores(rows, x, s.probability, s.revenue_at_stake, phi, errors)

    def observe_inspection(self, row: Mapping[str, Any]) -> bool:
        return bool(self._online.observe_inspection(row))

    def export_state(self) -> bytes:
        o = self._online
        return pickle.dumps((o._state, o._keys, o._latest), protocol=5)

    def import_state(self, state: bytes) -> None:
        o = self._online
        o._state, o._keys, o._latest = pickle.loads(state)


class WorkerPool:
    """The actors of one intake server, following the desired size of their group."""

    CHECK_EVERY = 0.25  # seconds between reads of the desired size

    def __init__(
        self,
        pool_dir: str,
        features_dir: str,
        models_dir: str,
        size: int,
        features: FeatureConfig,
        group: str = "intake",
        cpus: float = 1.0,
        address: str | None = None,
    ) -> None:
        ray = connect_ray(address)
        self._ray = ray
        self._dirs = (pool_dir, features_dir, models_dir)
        self._features = features
        self._cpus = cpus
        self._lock = threading.Lock()
        # SPREAD: the actors go to different nodes, so losing one node loses one share.
        self._actor_cls: Any = ray.remote(
            num_cpus=cpus, max_restarts=0, scheduling_strategy="SPREAD"
        )(ScoringWorker)
        self.group = group
        self._target: Any = _target_actor(ray, group, size)
        self._actors: list[Any] = []
        self._started = False
        target: Any = self._target
        self._grow(max(1, int(ray.get(target.get.remote()))))
        self._stop = threading.Event()
        self._follower = threading.Thread(
            target=self._follow_loop, name=f"workers-{group}", daemon=True
        )
        self._follower.start()

    @property
    def size(self) -> int:
        return len(self._actors)

    def _new_actor(self) -> Any:
        # Named (merak-worker-<group>-<id>, namespace merak): `ray list actors` and
        # ray.util.list_named_actors show an operator which node each worker is on.
        name = f"{WORKER_PREFIX}{self.group}-{uuid.uuid4().hex[:8]}"
        actor = self._actor_cls.options(name=name, namespace=NAMESPACE).remote(
            *self._dirs, self._features
        )
        self._ray.get(actor.ready.remote())
        return actor

    def _request_capacity(self, n: int) -> None:
        """Tell Ray's autoscaler the pool needs ``n`` actors' CPUs, so that on an autoscaling
        cluster (KubeRay) nodes are added for a growing pool and may go when it shrinks.
        Without an autoscaler the request has no effect."""
        try:
            from ray.autoscaler.sdk import request_resources

            request_resources(bundles=[{"CPU": self._cpus}] * n)
        except Exception:  # Ray Client, or an older cluster: the pool works without it
            log.debug("autoscaler resource request failed", exc_info=True)

    def _grow(self, n: int) -> None:
        """Start actors up to ``n``: each starts (seconds) while batches keep flowing, then,
        between two batches, takes a copy of a live actor's profiles."""
        self._request_capacity(n)
        while True:
            with self._lock:
                if len(self._actors) >= n:
                    return
            actor = self._new_actor()
            with self._lock:
                if self._actors:  # after every batch sent so far (calls run in order)
                    state = self._ray.get(self._actors[0].export_state.remote())
                    self._ray.get(actor.import_state.remote(state))
                elif self._started:
                    log.error(
                        "every scoring worker died: a new one starts from the feature build's "
                        "profiles, without the declarations observed since",
                        extra={"group": self.group},
                    )
                self._actors.append(actor)
                self._started = True
                size = len(self._actors)
            log.info("worker added", extra={"group": self.group, "size": size})
            self._report()

    def _shrink(self, n: int) -> None:
        self._request_capacity(n)
        with self._lock:
            while len(self._actors) > n:
                actor = self._actors.pop()
                self._ray.kill(actor)  # every call it was sent has been answered
                log.info("worker removed", extra={"group": self.group, "size": len(self._actors)})
        self._report()

    def _report(self) -> None:
        self._target.report.remote(len(self._actors))

    def follow(self) -> None:
        """Grow or shrink once to the desired size (the follower thread does this)."""
        try:
            want = max(1, int(self._ray.get(self._target.get.remote(), timeout=5)))
        except Exception:  # the target actor is gone: keep the current size
            log.warning("worker target unavailable", extra={"group": self.group}, exc_info=True)
            return
        if want > len(self._actors):
            self._grow(want)
        elif want < len(self._actors):
            self._shrink(want)

    def _follow_loop(self) -> None:
        while not self._stop.wait(self.CHECK_EVERY):
            try:
                self.follow()
            except Exception:
                log.exception("worker pool could not follow its desired size")

    def assess(
        self,
        version: str,
        declarations: Sequence[Any],
        cats: Sequence[Sequence[str]],
        revenue: Sequence[float],
    ) -> list[BatchScores]:
        """Send the batch to every actor, each computing an even, contiguous share."""
        with self._lock:
            n = len(declarations)
            k = len(self._actors)
            if k == 0:
                raise WorkerLostError("no scoring worker is running; one is being started")
            # One object for every actor (one put, one transfer per node).
            batch = self._ray.put((list(declarations), [list(c) for c in cats], list(revenue)))
            bounds = [round(j * n / k) for j in range(k + 1)]
            calls = [
                actor.assess.remote(version, batch, bounds[j], bounds[j + 1])
                for j, actor in enumerate(self._actors)
            ]
            results: list[BatchScores] = []
            dead: list[int] = []
            failure: BaseException | None = None
            for j, call in enumerate(calls):
                try:
                    results.append(self._ray.get(call))
                except self._ray.exceptions.RayActorError as exc:
                    dead.append(j)
                    failure = exc
            if dead:
                # Its share is lost (the other actors have added those declarations to their
                # profiles): the batch fails as a whole and nothing of it is answered as
                # assessed. The follower replaces the dead from a live actor's state.
                for j in reversed(dead):
                    self._actors.pop(j)
                raise WorkerLostError(f"{len(dead)} scoring worker(s) died: {failure}")
            return results

    def observe_inspection(self, row: Mapping[str, Any]) -> None:
        """Add an inspection outcome to every actor's profiles."""
        with self._lock:
            for actor in self._actors:
                actor.observe_inspection.remote(dict(row))

    def close(self) -> None:
        self._stop.set()
        self._follower.join()
        self._shrink(0)


class WorkerLostError(OverloadedError):
    """A scoring worker died while it held part of a batch (retry: it has been replaced)."""


@contextmanager
def _existing_cluster(address: str | None) -> Iterator[Any]:
    """The running Ray of this process, else a connection to ``address`` (default: the
    cluster ``ray start`` left on this machine) for the block."""
    import ray

    if ray.is_initialized():
        yield ray
        return
    from merak.cluster._ray import init_ray

    init_ray(address or "auto", namespace=NAMESPACE, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _target_actor(ray: Any, group: str, size: int) -> Any:
    """The named detached actor holding a pool's desired size (created with ``size``)."""
    return (
        # On the head node: the desired size outlives the loss of any worker node.
        ray.remote(num_cpus=0, resources={HEAD_RESOURCE: 0.001})(WorkerTarget)
        .options(
            name=target_name(group),
            namespace=NAMESPACE,
            lifetime="detached",
            get_if_exists=True,
        )
        .remote(size)
    )


def scale(group: str, size: int, address: str | None = None) -> dict[str, Any]:
    """Set the desired size of a worker pool (the ``merak workers scale`` command)."""
    with _existing_cluster(address) as ray:
        target = _target_actor(ray, group, size)
        ray.get(target.set.remote(size))
        result: dict[str, Any] = ray.get(target.status.remote())
        return result


def status(group: str, address: str | None = None) -> dict[str, Any] | None:
    """The desired and live sizes of a worker pool; None when it has no target yet."""
    with _existing_cluster(address) as ray:
        try:
            target: Any = ray.get_actor(target_name(group), namespace=NAMESPACE)
        except ValueError:
            return None
        result: dict[str, Any] = ray.get(target.status.remote())
        return result
