"""Which targets a config may name: the default policy, Hydra's blocklists, target kinds."""
