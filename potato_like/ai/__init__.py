"""AI assistance: suggestion providers behind one registry (`providers/`), and the features
built on them (suggestions, option highlights, chat, ICL labelling, active learning, the
embedding map). The default provider, `builtin`, needs no network: a scikit-learn model
trained on the project's own answers. Every LLM provider talks to an endpoint the admin
configured, with time-outs, and is tested against a local fake server."""
