"""The long-running mode: new complaints acknowledged within a second, sweeps on schedule."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from datetime import timedelta
from typing import Any

from complaints import orchestration
from complaints.app import get_app
from complaints.clock import now
from complaints.services.selection import new_or_pending_mail

log = logging.getLogger("complaints.dispatcher")


class Dispatcher:
    """Polls the indexed "what is new" query and runs the lifecycle flow on what it finds.

    A flow run starts in-process (no subprocess, no worker poll), so a new complaint is
    acknowledged within a second or two; up to `concurrency` runs at once (see Settings)."""

    def __init__(self, poll_seconds: float, concurrency: int = 1) -> None:
        self.poll_seconds = poll_seconds
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[str] = set()
        self._wake = asyncio.Event()
        self._runs: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def nudge(self) -> None:
        """Look now rather than at the next poll (an intake in this process calls it). Safe
        from any thread: the API's plain `def` routes run in FastAPI's thread pool, and an
        asyncio.Event set from there would not wake the loop until its next poll."""
        if self._loop is None:
            return  # not running yet: its first look finds the complaint
        with contextlib.suppress(RuntimeError):  # the loop has closed: the process stops
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _handle(self, references: list[str]) -> None:
        try:
            await orchestration.handle(references)
        except Exception as error:  # the flow run shows the failure; the work stays due
            log.warning("lifecycle flow failed for %d complaint(s): %s", len(references), error)
        finally:
            self._in_flight.difference_update(references)
            self._slots.release()

    async def run_forever(self) -> None:
        app = get_app()
        self._loop = asyncio.get_running_loop()
        while True:
            # A free slot first, then the query: what arrived while the last run held the slot
            # goes into the next run rather than waiting for the one after.
            await self._slots.acquire()
            try:
                # Enough to fill a run once those in flight are left out, and no more. In a
                # worker thread, as the tasks' database work is: this loop serves the web.
                wanted = app.settings.dispatch_batch
                found = await asyncio.to_thread(
                    new_or_pending_mail, app=app, as_of=now(), limit=wanted + len(self._in_flight)
                )
            except BaseException:
                self._slots.release()
                raise
            references = [r for r in found if r not in self._in_flight][:wanted]
            if references:
                self._in_flight.update(references)
                run = asyncio.create_task(self._handle(references))
                self._runs.add(run)
                run.add_done_callback(self._runs.discard)
            else:
                self._slots.release()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)


async def watch(runner: Any) -> None:
    """The notify-operations deployment, served here, and the automations that run it."""
    from complaints import automations

    notify = orchestration.load("notify")
    deployment = await runner.aadd_flow(notify, name="notify-operations")
    for line in await automations.ensure(deployment):
        log.info(line)


async def serve(sweep_seconds: float, poll_seconds: float, *, sweeps: bool = True) -> None:
    """Serve the web, the sweeps as scheduled deployments, and the dispatcher, in one loop."""
    import uvicorn
    from prefect.runner import Runner

    from complaints.api.web import create_web_app

    app = get_app()
    os.chdir(app.settings.home)  # deployments record entrypoints relative to here
    runner = Runner(name="complaints", pause_on_shutdown=False, limit=4)
    if sweeps:  # at scale, workers run the deployments of prefect.yaml instead
        interval = timedelta(seconds=sweep_seconds)
        for name in ("deadlines", "follow_up"):
            flow = orchestration.load(name)
            await runner.aadd_flow(flow, name=f"{flow.name}-schedule", interval=interval)
        review = orchestration.load("review")
        await runner.aadd_flow(
            review, name="monthly-review-schedule", cron="0 6 1 * *"
        )  # 1st of the month
        retention = orchestration.load("retention")
        await runner.aadd_flow(retention, name="anonymise-expired-schedule", cron="30 3 * * *")
        checkpoint = orchestration.load("checkpoint")
        await runner.aadd_flow(checkpoint, name="checkpoint-history-schedule", cron="45 3 * * *")
        await watch(runner)
    dispatcher = Dispatcher(poll_seconds, app.settings.dispatch_concurrency)
    web = uvicorn.Server(
        uvicorn.Config(
            create_web_app(app, on_intake=dispatcher.nudge),
            host=app.settings.web_host,
            port=app.settings.web_port,
            log_level="warning",
            proxy_headers=False,  # api.deps.client_address decides, from TRUSTED_PROXIES
        )
    )
    # Everything loaded so far (Prefect, SQLAlchemy, FastAPI: half a million objects) lives as
    # long as the process: out of the collector's sight, a full collection no longer walks it.
    gc.collect()
    gc.freeze()
    parts = [dispatcher.run_forever(), web.serve(), *([runner.start()] if sweeps else [])]
    if sweeps and app.settings.imap_host:  # at scale, the read-mailbox deployment does it
        from complaints import mailbox_watch

        parts.append(mailbox_watch.watch(app.settings, nudge=dispatcher.nudge))
    await asyncio.gather(*parts)
