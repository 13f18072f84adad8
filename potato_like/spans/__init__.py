"""Text annotation beyond labels: span values, links and events between spans, colours,
keyword highlights, CoNLL tokenisation and knowledge bases for entity linking."""
