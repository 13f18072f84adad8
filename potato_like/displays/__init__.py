"""Item displays (`instance_display`): a registry of display types, one module and one
template (templates/displays/<type>.html) each, like the annotation schemes."""
