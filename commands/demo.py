"""The demo: seed-demo, demo-clock, simulate (a day through the API) and urssaf-sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from commands import REFUSED, UNUSABLE, with_db
from services import demo_clock
from services.config import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = commands.add_parser(
        "seed-demo", help="idempotent demo agency, staff, workers and clients"
    )
    seed.set_defaults(run=_seed_demo)

    clock = commands.add_parser(
        "demo-clock", help="print a PASSAGE_CLOCK value: today from a morning hour, accelerated"
    )
    clock.add_argument("--speed", type=float, default=6.0, help="simulated minutes per second")
    clock.add_argument("--start", default="07:30", help="the simulated hour it starts from")
    clock.add_argument(
        "--lead", type=float, default=20.0, help="real seconds before the clock reaches --start"
    )
    clock.add_argument("--time-zone", default="Europe/Paris")
    clock.set_defaults(run=_demo_clock)

    simulate = commands.add_parser(
        "simulate", help="play the demo agency's day through the public API of a running server"
    )
    simulate.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
    simulate.add_argument(
        "--speed", type=float, default=1.0, help="simulated minutes per real second (default 1)"
    )
    simulate.add_argument(
        "--duration", type=float, default=600.0, help="stop after this many real seconds"
    )
    simulate.add_argument("--seed", type=int, default=7, help="who is late varies with it")
    simulate.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for the server to be ready"
    )
    simulate.set_defaults(run=_simulate)

    sandbox = commands.add_parser(
        "urssaf-sandbox",
        help="serve a local URSSAF stand-in (API Tiers de prestation) for demos and frontends",
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8090)
    sandbox.set_defaults(run=_urssaf_sandbox)


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from resolvers.core.runtime import build_runtime
    from simulation.seed.demo import seed_demo

    runtime = build_runtime(settings)
    lines: list[str] = asyncio.run(with_db(settings, lambda: seed_demo(runtime)))
    for line in lines:
        print(line)
    return 0


def _demo_clock(settings: Settings, args: argparse.Namespace) -> int:
    print(demo_clock.morning(args.speed, args.start, args.lead, args.time_zone).encode())
    return 0


def _urssaf_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from simulation import urssaf_sandbox

    print(f"URSSAF stand-in: URSSAF_URL=http://{args.host}:{args.port}", flush=True)
    urssaf_sandbox.serve(args.host, args.port)
    return 0


def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    import httpx

    from simulation import GraphQLFailure, simulate, wait_until_ready
    from simulation.seed.demo import demo_logins

    if not 0 < args.speed <= 600 or not 0 < args.duration <= 86400 or not 0 <= args.wait <= 600:
        print(
            "passage: --speed must be in (0, 600], --duration in (0, 86400], --wait in [0, 600]",
            file=sys.stderr,
        )
        return UNUSABLE
    # What the simulation does is for the person watching: plain lines on stdout.
    out = logging.getLogger("passage.simulate")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    out.handlers, out.propagate = [handler], False
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = args.url.rstrip("/")
    try:
        if args.wait:
            asyncio.run(wait_until_ready(url, args.wait))
        print(f"Dashboard: {url}/dashboard", *demo_logins(), sep="\n", flush=True)
        report = asyncio.run(simulate(url, args.speed, args.duration, args.seed))
    except (httpx.HTTPError, GraphQLFailure) as exc:
        print(
            f"passage: simulation stopped: {exc} (is the demo served at {args.url}?)",
            file=sys.stderr,
        )
        return REFUSED
    print(
        f"simulated: {report.booked} visits booked, {report.check_ins} check-ins, "
        f"{report.check_outs} check-outs, {report.ratings} rating(s), "
        f"{report.messages} message(s) and {report.replies} answer(s), "
        f"{report.requests} request(s) and {report.reviews} decision(s), "
        f"{report.claims} claim(s) and {report.claim_steps} step(s), "
        f"{report.callbacks} call-back(s) and {report.calls} call(s) logged"
    )
    for reason in report.skipped:
        print(f"skipped: {reason}")
    return 0
