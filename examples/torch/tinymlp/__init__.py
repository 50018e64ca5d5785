"""A tiny PyTorch project: an MLP classifier on synthetic data, trained in seconds on a CPU."""

from tinymlp.data import Blobs
from tinymlp.model import MLP
from tinymlp.trainer import Trainer, seed_everything

__all__ = ["MLP", "Blobs", "Trainer", "seed_everything"]
