"""The emulator runs only on the moto that scripts/install-local-aws pins: the extensions patch moto's
internals, which change between releases without notice. The pin is read from the lock file the
installer uses, so there is one place to change it."""

import re
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


class VersionError(RuntimeError):
    """The installed moto is not the pinned one."""


def pinned(lock=LOCK):
    """The moto version `lock` pins (`moto==X.Y.Z`)."""
    try:
        text = Path(lock).read_text()
    except OSError as error:
        raise VersionError(f"cannot read the moto pin from {lock}: {error}") from None
    found = re.search(r"^moto==([^\s;#]+)", text, re.MULTILINE)
    if found is None:
        raise VersionError(f"{lock} pins no moto version (no line `moto==X.Y.Z`)")
    return found.group(1)


def check(installed=None, lock=LOCK):
    """Raises VersionError unless `installed` (default: the imported moto's) is the pinned version."""
    if installed is None:
        import moto

        installed = moto.__version__
    needed = pinned(lock)
    if installed != needed:
        raise VersionError(
            f"Berth's local AWS needs moto {needed} (pinned in {lock}) but found moto {installed}; "
            "run scripts/install-local-aws to install the pinned version"
        )
