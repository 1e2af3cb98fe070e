"""Settings for benchmarks: the real settings with a URLconf that adds a bare comparison view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
