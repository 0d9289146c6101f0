"""Settings for mypy's Django plugin only (``[tool.django-stubs]`` in pyproject.toml).

Type checking is development work: without this, the plugin would load the production
default and stop at the missing ``ANSINH_SECRET_KEY``. Never point a server at this module.
"""

import os

os.environ.setdefault("ANSINH_ENV", "development")

from ansinh.config.settings import *  # noqa: F403
