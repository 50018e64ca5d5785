"""Which targets a config may name: the default policy, Hydra's blocklists, target kinds."""

from lazycfg.safety.policy import Policy, policy_for

__all__ = ["Policy", "policy_for"]
