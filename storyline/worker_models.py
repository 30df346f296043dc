"""Imported by the worker pool's fork server (``multiprocessing``'s forkserver preload, see
``pipeline._Worker``): loads the models of cleaning and analysis once, before the workers fork
from it, instead of once in each worker."""

import logging

from storyline.pipeline import load_models

try:
    load_models()
except Exception:  # the server must start anyway: each worker then loads the models itself and reports what fails
    logging.getLogger(__name__).warning("the worker pool's fork server could not load the models", exc_info=True)
