"""Detecting audio artifacts (clicks, clipping, hum, dropouts) in recordings: frame features
from librosa (features.py) and a scikit-learn classifier whose frame predictions are merged
into time segments (model.py). Trained and run by the training and inference jobs."""
