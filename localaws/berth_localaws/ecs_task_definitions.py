"""Task definition revisions carry registeredAt and registeredBy (and deregisteredAt once
deregistered), as on AWS; moto leaves them out, so a revision page would show no date."""

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend


def install():
    original_register = EC2ContainerServiceBackend.register_task_definition
    original_deregister = EC2ContainerServiceBackend.deregister_task_definition

    def register_task_definition(self, *args, **kwargs):
        revision = original_register(self, *args, **kwargs)
        revision.registered_at = utcnow()
        revision.registered_by = f"arn:aws:iam::{self.account_id}:root"
        return revision

    def deregister_task_definition(self, task_definition_str):
        revision = original_deregister(self, task_definition_str)
        revision.deregistered_at = utcnow()
        return revision

    EC2ContainerServiceBackend.register_task_definition = register_task_definition
    EC2ContainerServiceBackend.deregister_task_definition = deregister_task_definition
