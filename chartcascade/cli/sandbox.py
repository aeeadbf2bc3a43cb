"""`chartcascade sandbox serve`: the local fake Soundcharts API as a server."""

from __future__ import annotations

import typer

from chartcascade.cli.console import console

sandbox_app = typer.Typer(help="The local Soundcharts sandbox API.", no_args_is_help=True)


@sandbox_app.command("serve")
def serve_command(
    port: int = typer.Option(8765, help="Port on 127.0.0.1."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    seed: int = typer.Option(42, help="Seed of the generated world."),
    latency_ms: float = typer.Option(0.0, help="Latency added to every request."),
    rate_limit: int | None = typer.Option(None, help="Requests allowed per rate window."),
    rate_window: float = typer.Option(60.0, help="Rate window in seconds."),
    quota: int | None = typer.Option(None, help="Calls before the quota is used up."),
    fault_rate: float = typer.Option(0.0, help="Share of requests answered 500/502/503."),
) -> None:
    """Serve the sandbox until interrupted (credentials: soundcharts / soundcharts)."""
    from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld
    from chartcascade.sandbox.server import run_server

    config = SandboxConfig(
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        rate_window_seconds=rate_window,
        quota=quota,
        fault_rate=fault_rate,
    )
    sandbox = Sandbox(world=SandboxWorld(seed=seed), config=config)
    console.print(f"Soundcharts sandbox on http://{host}:{port} (Ctrl-C stops it)")
    run_server(sandbox, host, port)
