"""``python -m local``: the Connect emulator (``emulator``) and the local SCIM dev server (``serve``).

``serve`` belongs to the dev server and is imported only when asked for, so the emulator starts even
while the server is being built and its dependencies stay off the emulator's path.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from local.emulator.config import DEFAULT_BURST, DEFAULT_MAX_USERS, DEFAULT_RATE, ConfigError, EmulatorConfig

DEFAULT_EMULATOR_PORT = 8790


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local", description="Run connect-scim on one machine.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{emulator,serve}")
    commands.add_parser(
        "serve", help="the local SCIM endpoint (see `python -m local serve --help`)", add_help=False
    )
    emulator = commands.add_parser(
        "emulator",
        help="the Amazon Connect emulator on loopback",
        description="Serve the Amazon Connect API (the user-management subset) for boto3 on loopback.",
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    emulator.add_argument(
        "--port",
        type=int,
        default=DEFAULT_EMULATOR_PORT,
        help="port; 0 picks a free one (default: %(default)s)",
    )
    emulator.add_argument(
        "--rate", type=float, default=DEFAULT_RATE, help="API requests per second; 0 turns throttling off"
    )
    emulator.add_argument("--burst", type=int, default=DEFAULT_BURST, help="API burst (default: %(default)s)")
    emulator.add_argument(
        "--per-operation-throttle",
        action="store_true",
        help="one quota bucket per operation, not per account",
    )
    emulator.add_argument(
        "--max-users",
        type=int,
        default=DEFAULT_MAX_USERS,
        help="users-per-instance quota (default: %(default)s)",
    )
    emulator.add_argument("--state", type=Path, help="JSON file keeping state across restarts")
    emulator.add_argument("--seed", type=Path, help="seed data file (default: the packaged seed.json)")
    emulator.add_argument("--fault-rate", type=float, default=0.0, help="share of calls answering HTTP 500")
    emulator.add_argument(
        "--drop-rate", type=float, default=0.0, help="share of write calls applied but left unanswered"
    )
    emulator.add_argument("--latency-ms", type=float, default=0.0, help="added latency per call")
    emulator.add_argument("--random-seed", type=int, default=0, help="seed for fault draws and generated ids")
    emulator.add_argument(
        "--username-unique-case-sensitive",
        action="store_true",
        help="treat Usernames differing only in case as different users (default: the same)",
    )
    emulator.add_argument(
        "--exact-search-case-insensitive",
        action="store_true",
        help="SearchUsers EXACT ignores case (default: case-sensitive)",
    )
    emulator.add_argument("--log-level", default="WARNING", help="logging level (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["serve"]:
        server_module: Any = importlib.import_module("local.server")
        return int(server_module.main(args_list[1:]))
    args = _parser().parse_args(args_list)
    return run_emulator(args)


def run_emulator(args: argparse.Namespace) -> int:
    from local.emulator import EmulatorServer, StateFileError

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config = EmulatorConfig(
            host=args.host,
            port=args.port,
            rate=args.rate,
            burst=args.burst,
            per_operation_throttle=args.per_operation_throttle,
            fault_rate=args.fault_rate,
            drop_rate=args.drop_rate,
            latency_ms=args.latency_ms,
            max_users=args.max_users,
            username_unique_case_sensitive=args.username_unique_case_sensitive,
            exact_search_case_insensitive=args.exact_search_case_insensitive,
            random_seed=args.random_seed,
            seed_path=args.seed,
            state_path=args.state,
        )
        server = EmulatorServer(config)
    except (ConfigError, StateFileError, OSError) as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 2

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"Amazon Connect emulator listening on {server.url}", flush=True)
    print(f"Instance id: {server.instance_id}", flush=True)
    print(f"Control plane: {server.url}/_emulator/stats", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
