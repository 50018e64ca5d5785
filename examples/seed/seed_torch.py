"""The essay's PyTorch ``MyModel``, unchanged, configured by a factory and built only later."""

from __future__ import annotations

import torch

from lazycfg import factory

CONSTRUCTED: list[str] = []  # proves laziness: appended to by every real construction


class MyModel(torch.nn.Module):
    def __init__(self, num_features: int, num_classes: int, hidden_size: int = 128) -> None:
        super().__init__()
        CONSTRUCTED.append("MyModel")
        self.num_features = num_features
        self.num_classes = num_classes
        self.hidden_size = hidden_size
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(num_features, self.hidden_size),
            torch.nn.ReLU(),
            torch.nn.Linear(self.hidden_size, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


@factory
def my_model(num_features: int = 1_000, num_classes: int = 16, hidden: int = 128) -> MyModel:
    """The model the essay builds eagerly with ``MyModel(1_000, 16)``, now a config."""
    return MyModel(num_features, num_classes, hidden_size=hidden)
