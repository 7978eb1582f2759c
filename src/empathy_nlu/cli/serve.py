"""`empathy-nlu serve [--model DIR] [--store URL] [--host H] [--port P] [--workers N] [--keys FILE]`.

Runs the HTTP service (docs/service.md) on uvicorn. The model is checked here before the port
opens, then each worker loads it before it takes a request. With ``--workers N`` uvicorn's
supervisor restarts a worker that dies, and SIGHUP replaces every worker (a retrained model).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from .keys import DEFAULT_KEYS, add_keys_option

HELP = "run the HTTP service: /v1/parse, channels, history, Rasa's /model/parse, /metrics"
APP = "empathy_nlu.service.app:app_from_environment"


def add_arguments(parser) -> None:
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument(
        "--store",
        default=os.environ.get("EMPATHY_NLU_STORE"),
        help="conversation store: sqlite:///path, a file path or postgresql://... (default: "
        "$EMPATHY_NLU_STORE; none: the routes that need one answer 409)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    add_keys_option(parser)
    parser.add_argument("--no-auth", action="store_true", help="no API keys: only with a loopback --host")
    parser.add_argument("--max-body-kb", type=int, default=1024, help="largest request body (default 1024)")
    parser.add_argument("--max-batch", type=int, default=256, help="most items in /v1/parse/batch (256)")
    parser.add_argument("--ssl-keyfile", help="TLS private key (PEM); with --ssl-certfile serves HTTPS")
    parser.add_argument("--ssl-certfile", help="TLS certificate chain (PEM)")
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=75,
        help="seconds an idle connection stays open (default 75: longer than load balancers' 60, so the "
        "service never closes a connection a client is about to reuse)",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--no-access-log", action="store_true", help="no line per request on stderr")


def run(args) -> int:
    import uvicorn

    settings = _settings(args)
    _check_before_binding(settings)
    state_dir = Path(tempfile.mkdtemp(prefix="empathy-nlu-serve-"))
    try:
        (state_dir / "metrics").mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(state_dir / "metrics")
        replace(settings, state_dir=str(state_dir)).to_environment()
        uvicorn.run(
            APP,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,  # uvicorn's line has the path with its query: customer ids; ours has neither
            log_config=_log_config(args.log_level, not args.no_access_log),
            ssl_keyfile=args.ssl_keyfile,
            ssl_certfile=args.ssl_certfile,
            timeout_graceful_shutdown=10,
            timeout_keep_alive=args.keep_alive,
        )
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    return 0


def _settings(args):
    from ..service.settings import Settings

    keys = None if args.no_auth else args.keys
    if keys == DEFAULT_KEYS and not Path(keys).exists():  # nothing given, nothing found: E706 says what to do
        keys = None
    return Settings(
        model=args.model,
        store=args.store,
        keys=keys,
        no_auth=args.no_auth,
        host=args.host,
        max_body_kb=args.max_body_kb,
        max_batch=args.max_batch,
    ).check()


def _check_before_binding(settings) -> None:
    """Keys, model and store fail here, with their codes, rather than in every worker."""
    from ..classifier import Classifier
    from ..service.auth import read_keys

    if settings.keys:
        read_keys(settings.keys)
    classifier = Classifier.load(settings.model)
    if settings.store:
        from ..store import open_store

        open_store(settings.store, privacy=classifier.pipeline.config.get("privacy")).close()
    print(f"model {settings.model or 'default'} checked; starting the service", file=sys.stderr)


def _log_config(level: str, access: bool) -> dict:
    """uvicorn's own logging, plus ours: service events, and one access line per request."""
    from uvicorn.config import LOGGING_CONFIG

    config = dict(LOGGING_CONFIG)
    config["loggers"] = {
        **config["loggers"],
        "empathy_nlu.service": {"handlers": ["default"], "level": level.upper(), "propagate": False},
        "empathy_nlu.access": {
            "handlers": ["default"],
            "level": "INFO" if access else "WARNING",
            "propagate": False,
        },
    }
    return config
