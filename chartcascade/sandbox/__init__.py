"""A faithful, deterministic local fake of the Soundcharts API ("the sandbox").

world = SandboxWorld(seed=42, as_of=date(2026, 11, 26), chart_sizes={"global-28": 20})
sandbox = Sandbox(world)
client = httpx.Client(base_url="https://customer.api.soundcharts.com",
                      transport=sandbox.transport())
with sandbox.serve() as url: ...   # the same answers over real HTTP
"""

from chartcascade.sandbox.core import Sandbox
from chartcascade.sandbox.faults import SandboxConfig
from chartcascade.sandbox.reply import SandboxReply
from chartcascade.sandbox.routes import ENDPOINTS
from chartcascade.sandbox.world import SandboxWorld


def run_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve `sandbox` over HTTP with uvicorn until interrupted (blocking)."""
    from chartcascade.sandbox.server import run_server as run

    run(sandbox, host, port)


__all__ = ["ENDPOINTS", "Sandbox", "SandboxConfig", "SandboxReply", "SandboxWorld", "run_server"]
