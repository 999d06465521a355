"""Installs every extension into moto, once per process, after checking moto is the pinned version
(the extensions are written against its internals)."""

import threading

from . import moto_version

_installed = False
_guard = threading.Lock()


def install():
    """Raises moto_version.VersionError or patching.PatchError, naming what does not match."""
    global _installed
    with _guard:
        if _installed:
            return
        moto_version.check()
        # Imported only now: on another moto, importing them may fail before the version is named.
        from . import accounts, ecr, ecs_agent, ecs_counts, ecs_deployments, ecs_logs, ecs_run_task, ecs_scheduler, ecs_strategies, ecs_task_definitions, elb_traffic, logs, loopback

        accounts.install()
        ecr.install()
        ecs_agent.install()
        ecs_scheduler.install()
        ecs_deployments.install()
        ecs_strategies.install()
        elb_traffic.install()
        ecs_counts.install()
        ecs_run_task.install()
        ecs_task_definitions.install()
        logs.install()
        ecs_logs.install()
        loopback.install()  # after ecs_logs: a listener reads the stream the driver opened
        _installed = True
