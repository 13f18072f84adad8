"""Comparisons across items: best-worst scaling tuples (tuples.py), iterative BWS rounds
(ibws.py), and scores from comparative judgements (scoring.py, pairwise_scores.py)."""
