"""Several projects in one process: `python run.py DIR` (docs/workspace.md)."""

from .config import WorkspaceConfig, load_workspace_config
from .workspace import Workspace

__all__ = ["Workspace", "WorkspaceConfig", "load_workspace_config"]
