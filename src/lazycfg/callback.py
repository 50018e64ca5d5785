"""``lazycfg.callback.LogConfig``: the path Hydra configs name the callback by.

The code lives in `lazycfg.hydra.callback`; this module keeps the dotted path configs write
and the record function docs/07 reads logs with."""

from lazycfg.hydra.callback import LogConfig, job_record

__all__ = ["LogConfig", "job_record"]
