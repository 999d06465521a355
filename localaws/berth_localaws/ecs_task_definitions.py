"""Task definition revisions carry registeredAt and registeredBy (and deregisteredAt once
deregistered), as on AWS; moto leaves them out, so a revision page would show no date."""

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend

from .patching import patch

_REGISTER = (
    "(self, family, container_definitions, volumes=None, network_mode=None, tags=None, "
    "placement_constraints=None, requires_compatibilities=None, cpu=None, memory=None, "
    "task_role_arn=None, execution_role_arn=None, proxy_configuration=None, "
    "inference_accelerators=None, runtime_platform=None, ipc_mode=None, pid_mode=None, "
    "ephemeral_storage=None)"
)


def _stamp_registration(original):
    def register_task_definition(self, *args, **kwargs):
        revision = original(self, *args, **kwargs)
        revision.registered_at = utcnow()
        revision.registered_by = f"arn:aws:iam::{self.account_id}:root"
        return revision

    return register_task_definition


def _stamp_deregistration(original):
    def deregister_task_definition(self, task_definition_str):
        revision = original(self, task_definition_str)
        revision.deregistered_at = utcnow()
        return revision

    return deregister_task_definition


def install():
    patch(EC2ContainerServiceBackend, "register_task_definition", _REGISTER, _stamp_registration)
    patch(EC2ContainerServiceBackend, "deregister_task_definition", "(self, task_definition_str)", _stamp_deregistration)
