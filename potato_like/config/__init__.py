from .model import ProjectConfig
from .validate import load_config

__all__ = ["ProjectConfig", "load_config"]
