"""Settings for `make run`: the local demo on SQLite."""

from .base import *  # noqa: F403

DEBUG = env_bool("DOORSTROOM_DEBUG", True)  # noqa: F405
