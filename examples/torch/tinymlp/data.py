"""The data: Gaussian blobs, one per class, made from a seed (no download)."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Blobs(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """``n`` points in ``features`` dimensions around ``classes`` random centres."""

    def __init__(
        self, n: int = 512, features: int = 8, classes: int = 2, spread: float = 1.5, seed: int = 0
    ) -> None:
        generator = torch.Generator().manual_seed(seed)
        centres = torch.randn(classes, features, generator=generator) * 2
        self.labels = torch.randint(0, classes, (n,), generator=generator)
        noise = torch.randn(n, features, generator=generator) * spread
        self.points = centres[self.labels] + noise

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.points[index], self.labels[index]
