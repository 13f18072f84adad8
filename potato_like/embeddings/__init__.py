"""Item embeddings (one registry of embedders, shared by the embedding map and similar
items) and the embedding map (a 2-D UMAP projection computed in the background)."""
