"""Rules: one small registered function per check. Importing this package registers them all."""

from metaflow_expert.rules.registry import REGISTRY, Rule, RuleContext, rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "load_all_rules", "rule"]


def load_all_rules() -> None:
    """Import every rule module so its ``@rule`` functions register themselves."""
    import importlib
    import pkgutil

    import metaflow_expert.rules as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name != "registry" and not info.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
