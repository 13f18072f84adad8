"""The builtin AI model: per learnable scheme (a scheme's `learned_as`), text features and
a calibrated linear model (one label, or yes/no per label), or a CRF tagger for spans,
trained in the background on the project's own answers and stored with its versions.
`providers/builtin.py` serves it through the provider registry; active learning and ICL
labelling use it directly when no LLM is configured."""
