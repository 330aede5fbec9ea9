"""One benchmark server process: `python -m bench.serve graphql|unplanned|baseline|bare ...`.

Every kind is served by uvicorn with `web.server.server_config`, as `passage serve` does.
`bare` is uvicorn's own share of a request: an ASGI app that answers every request with
the bytes and headers the app answers a signed-in `{ __typename }` with, and nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
from typing import Any

import uvicorn

from bench.common import bench_settings, quiet_logging, raise_open_files
from web.interpreter import tune_for_serving


def main() -> None:
    parser = argparse.ArgumentParser()
    # unplanned: the GraphQL app with PLANNED_QUERIES=off (graphql-core answers everything).
    parser.add_argument("kind", choices=["graphql", "unplanned", "baseline", "bare"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--broadcast", default="memory://")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--namespace", default="bench")
    args = parser.parse_args()

    raise_open_files()
    tune_for_serving()  # as `passage serve` does
    trace_to = os.environ.get("PASSAGE_BENCH_TRACEMALLOC")
    if trace_to:
        _trace_memory(trace_to)
    window_to = os.environ.get("PASSAGE_BENCH_WINDOW")
    if window_to:
        _measure_windows(window_to, bool(os.environ.get("PASSAGE_BENCH_PROFILE")))
    settings = bench_settings(args.database, args.broadcast, args.namespace, args.log_level)
    quiet_logging(settings.log_level)

    from app import create_app
    from web.server import server_config

    if args.kind == "graphql":
        app = create_app(settings)
    elif args.kind == "unplanned":
        app = create_app(dataclasses.replace(settings, planned_queries=False))
    elif args.kind == "baseline":
        from bench.baseline import create_baseline_app

        app = create_baseline_app(settings)
    else:
        app = _bare(settings.production)
    # Investigation aid: cProfile stats of the whole serve to `path`.PID; with a measured
    # window (bench.fanout), `_measure_windows` profiles each window instead.
    profile_to = os.environ.get("PASSAGE_BENCH_PROFILE")
    profiler = None
    if profile_to and not window_to and args.kind in ("graphql", "unplanned"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # uvicorn shuts down gracefully on SIGINT, then raises KeyboardInterrupt again.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(server_config(app, settings, "127.0.0.1", args.port)).run()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{os.getpid()}")


def _bare(production: bool) -> Any:
    """An ASGI app answering every request as the app answers `{ __typename }`: the same
    body and the same headers (uvicorn checks and writes each), no routing, no GraphQL."""
    from web.middleware import security_headers

    body = b'{"data":{"__typename":"Query"}}'
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Origin"),
        *security_headers(production),
        (b"x-request-id", b"0123456789abcdef"),
    ]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _trace_memory(path: str) -> None:
    """Investigation aid: tracemalloc on; each SIGUSR1 writes a snapshot to `path`.N."""
    import tracemalloc

    tracemalloc.start(12)
    count = 0

    def dump(signum: int, frame: object) -> None:
        nonlocal count
        count += 1
        tracemalloc.take_snapshot().dump(f"{path}.{count}")

    signal.signal(signal.SIGUSR1, dump)


STALL_SECONDS = 0.05


def _measure_windows(path: str, profile: bool) -> None:
    """Each SIGUSR2 opens, then closes, a measured window; at its close the cycle
    collector's pauses over it, per generation, go to `path`.N.gc and, with `profile`, a
    cProfile of the process (the event loop's thread) to `path`.N (`python -m pstats`)."""
    import asyncio
    import cProfile
    import gc
    import threading
    import time
    import traceback

    count = 0
    stalls: list[float] = []  # the event loop's gaps over STALL_SECONDS
    where: list[str] = []  # what the loop's thread was running, sampled within a stall
    beat = [time.perf_counter(), 0.0]  # last heartbeat, time the current stall was sampled
    main = threading.get_ident()

    def heartbeat(loop: asyncio.AbstractEventLoop) -> None:
        now = time.perf_counter()
        if now - beat[0] > STALL_SECONDS:
            stalls.append(now - beat[0])
        beat[0] = now
        if running:
            loop.call_later(0.005, heartbeat, loop)

    def watchdog() -> None:
        while running:
            time.sleep(0.005)
            stalled = time.perf_counter() - beat[0]
            if stalled > STALL_SECONDS and beat[1] != beat[0]:
                beat[1] = beat[0]
                frame = sys._current_frames().get(main)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-6:]
                    where.append(
                        " < ".join(
                            f"{f.filename.split('/')[-1]}:{f.lineno} {f.name}"
                            for f in reversed(stack)
                        )
                    )

    running: list[cProfile.Profile | None] = []
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    freed = [0, 0, 0]  # objects found unreachable (cyclic garbage), per generation
    started: list[float] = []

    def collecting(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses[info["generation"]].append(time.perf_counter() - started[0])
            freed[info["generation"]] += info["collected"]

    def toggle(signum: int, frame: object) -> None:
        nonlocal count
        if running:
            profiler = running.pop()
            gc.callbacks.remove(collecting)
            count += 1
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{path}.{os.getpid()}.{count}")
            with open(f"{path}.{os.getpid()}.{count}.gc", "w") as out:
                out.write(
                    f"event loop stalls over {1000 * STALL_SECONDS:.0f} ms: {len(stalls)}, "
                    f"longest {1000 * max(stalls, default=0):.0f} ms, "
                    f"{1000 * sum(stalls):.0f} ms in all\n"
                )
                for sample in where[:8]:
                    out.write(f"  in a stall: {sample}\n")
                for generation, times in pauses.items():
                    out.write(
                        f"generation {generation}: {len(times)} collections, "
                        f"{1000 * sum(times):.1f} ms in all, longest "
                        f"{1000 * max(times, default=0):.1f} ms, "
                        f"{freed[generation]} objects freed\n"
                    )
        else:
            for times in pauses.values():
                times.clear()
            freed[:] = [0, 0, 0]
            gc.callbacks.append(collecting)
            stalls.clear()
            where.clear()
            profiler = cProfile.Profile() if profile else None
            running.append(profiler)
            beat[0] = time.perf_counter()
            heartbeat(asyncio.get_running_loop())
            threading.Thread(target=watchdog, daemon=True).start()
            if profiler is not None:
                profiler.enable()

    signal.signal(signal.SIGUSR2, toggle)


if __name__ == "__main__":
    main()
