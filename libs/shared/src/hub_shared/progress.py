"""Progress of a long command-line run on the console: a bar on a terminal, plain lines otherwise.

The one-shot commands (``collect``, ``assess``) run for minutes against a large fleet. On a terminal a
``tqdm`` bar shows the percentage and the latest message; when the output is a file or a pipe (cron, CI,
``kubectl logs``) one plain line is written per change of message or of at least ``step`` percent, so a
log stays readable and short. Progress goes to stderr: stdout keeps the command's one-line result.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


class ConsoleProgress:
    def __init__(self, label: str, *, stream: TextIO | None = None, step: int = 5, tty: bool | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.step = step
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar: tqdm | None = None
        self._percent = -1
        self._message: str | None = None
        self._started = time.monotonic()

    def update(self, percent: int | None, message: str | None = None) -> None:
        """Show the run at ``percent`` (0–100, None: unchanged) with ``message`` (None: unchanged)."""
        percent = self._percent if percent is None else max(0, min(100, int(percent)))
        changed_message = message is not None and message != self._message
        if self.tty:
            bar = self._ensure_bar()
            if percent > bar.n:
                bar.update(percent - bar.n)
            if changed_message:
                bar.set_postfix_str(message or "", refresh=True)
        elif changed_message or percent - max(self._percent, 0) >= self.step or (percent == 100 != self._percent):
            elapsed = time.monotonic() - self._started
            text = message if message is not None else self._message or ""
            shown = f"{percent:3d}%" if percent >= 0 else "  -%"
            print(f"{self.label}: [{shown}] {text} ({elapsed:.0f}s)", file=self.stream, flush=True)
        self._percent = max(self._percent, percent)
        if message is not None:
            self._message = message

    def _ensure_bar(self) -> tqdm:
        if self._bar is None:
            self._bar = tqdm(
                total=100,
                desc=self.label,
                unit="%",
                file=self.stream,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}",
                dynamic_ncols=True,
            )
        return self._bar

    def close(self, message: str | None = None) -> None:
        if self._bar is not None:
            if message is not None:
                self._bar.set_postfix_str(message, refresh=True)
            self._bar.close()
            self._bar = None
        elif message is not None and not self.tty:
            print(f"{self.label}: {message}", file=self.stream, flush=True)

    def __enter__(self) -> ConsoleProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
