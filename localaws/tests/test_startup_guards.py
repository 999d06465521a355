"""The emulator refuses to start on another moto than the pinned one, and on a moto whose patched
or called attributes are missing or take other parameters, naming what does not match."""

import subprocess
import sys
from pathlib import Path

import moto
import pytest
from moto.ecs.models import EC2ContainerServiceBackend

from berth_localaws import ecs_counts, moto_version
from berth_localaws.moto_version import VersionError
from berth_localaws.patching import PatchError, patch, require

LOCALAWS = Path(__file__).resolve().parent.parent


def test_the_pin_is_the_installer_s_and_the_installed_moto_matches_it():
    lock = (LOCALAWS / "requirements.lock").read_text().splitlines()
    assert f"moto=={moto_version.pinned()}" in lock
    moto_version.check()
    assert moto.__version__ == moto_version.pinned()


def test_another_moto_version_is_refused_naming_both(tmp_path):
    with pytest.raises(VersionError) as refused:
        moto_version.check("5.1.0")
    message = str(refused.value)
    assert f"needs moto {moto_version.pinned()}" in message
    assert "found moto 5.1.0" in message
    assert "scripts/install-local-aws" in message

    lock = tmp_path / "requirements.lock"
    lock.write_text("boto3==1.0\n")
    with pytest.raises(VersionError, match="pins no moto version"):
        moto_version.check("5.2.5", lock)


def test_the_emulator_exits_with_the_message_on_another_moto():
    start = (
        "import sys, runpy, moto; moto.__version__ = '4.0.0'; sys.argv = ['berth_localaws'];"
        "runpy.run_module('berth_localaws', run_name='__main__')"
    )
    ran = subprocess.run([sys.executable, "-c", start], cwd=LOCALAWS, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 1
    assert ran.stdout == ""  # no URL: a harness waiting for one sees it never came
    assert "refusing to start" in ran.stderr and "found moto 4.0.0" in ran.stderr


class Thing:
    def act(self, name, force=False):
        return f"acted on {name}"


def test_a_patch_wraps_the_original_once_its_signature_matches():
    class Mine(Thing):
        pass

    def louder(original):
        def act(self, name, force=False):
            return original(self, name, force).upper()

        return act

    patch(Mine, "act", "(self, name, force=False)", louder)
    assert Mine().act("web") == "ACTED ON WEB"
    with pytest.raises(PatchError, match="already patched"):
        patch(Mine, "act", "(self, name, force=False)", louder)


def test_a_patch_is_refused_naming_the_attribute_when_missing_or_of_another_signature():
    with pytest.raises(PatchError) as missing:
        patch(Thing, "gone", "(self)", lambda original: original)
    assert "test_startup_guards.Thing.gone" in str(missing.value)

    with pytest.raises(PatchError) as other:
        require(Thing, "act", "(self, name)")
    assert str(other.value) == (
        "test_startup_guards.Thing.act has the signature (self, name, force=False); "
        "the extensions expect (self, name)"
    )
    assert Thing().act("web") == "acted on web"


def test_an_extension_fails_at_install_when_moto_changed_what_it_patches(monkeypatch):
    def describe_clusters(self, names, include=None):  # as if moto renamed and added a parameter
        return [], []

    monkeypatch.setattr(EC2ContainerServiceBackend, "describe_clusters", describe_clusters)
    with pytest.raises(PatchError) as refused:
        ecs_counts.install()
    assert str(refused.value) == (
        "moto.ecs.models.EC2ContainerServiceBackend.describe_clusters has the signature "
        "(self, names, include=None); the extensions expect (self, cluster_names)"
    )
    assert EC2ContainerServiceBackend.describe_clusters is describe_clusters
