"""Run real WatermelonDB "devices" (tests/e2e/watermelon/driver.js under Node) from a test.

Each device is a WatermelonDB Database on the LokiJS adapter (in memory) that syncs with the
app-side code in tests/e2e/watermelon/sync.js against a live server. Commands go to the Node
process one JSON line at a time; each answer carries what WatermelonDB logged meanwhile.
"""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE_PROJECT = Path(__file__).resolve().parent / "watermelon"
ANSWER_TIMEOUT_S = 90


def missing_node() -> str | None:
    """Why the real-client tests cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "Node.js is not installed: apt-get install -y nodejs npm, then npm ci in tests/e2e/watermelon"
    if not (NODE_PROJECT / "node_modules" / "@nozbe" / "watermelondb").is_dir():
        return "tests/e2e/watermelon has no node_modules: run `npm ci` there (make test and .ci/run do)"
    return None


class WatermelonDevices:
    """One Node process holding any number of named devices."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.process = subprocess.Popen(
            [shutil.which("node") or "node", "driver.js"],
            cwd=NODE_PROJECT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self._selector.register(self.process.stdout, selectors.EVENT_READ)

    def call(self, cmd: str, **arguments: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **arguments}) + "\n")
        self.process.stdin.flush()
        if not self._selector.select(timeout=ANSWER_TIMEOUT_S):
            raise AssertionError(f"the WatermelonDB driver gave no answer to {cmd} in {ANSWER_TIMEOUT_S} s")
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"the WatermelonDB driver stopped: {stderr}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise AssertionError(f"{cmd} failed in the WatermelonDB driver: {answer}")
        return answer

    def open(self, device: str, token: str, **options: Any) -> dict[str, Any]:
        return self.call("open", device=device, token=token, baseUrl=self.base_url, **options)

    def sync(self, device: str, *, retry: bool = True, **options: Any) -> dict[str, Any]:
        return self.call("sync", device=device, retry=retry, **options)

    def dump(self, device: str) -> dict[str, Any]:
        return self.call("dump", device=device)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._selector.close()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


def sync_errors(answer: dict[str, Any]) -> list[str]:
    """What WatermelonDB logged as an error or warning during a command."""
    return [line["message"] for line in answer.get("console", []) if line["level"] in ("error", "warn")]


def pushes(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in answer["requests"] if r.get("method") == "POST"]


def pulls(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in answer["requests"] if r.get("method") == "GET"]
