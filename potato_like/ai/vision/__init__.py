"""Vision pre-annotations (`ai_support.visual_endpoint_type`): detectors run on the item's
image and their detections become editable shapes of the schemes that draw on images."""
