"""A module that writes the marker file when it is imported (it must never be, by reading)."""

from depth_targets import touch

touch("imported depth_noisy_module")


def target(x: int = 0) -> int:
    return x
