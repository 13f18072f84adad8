"""The labelling-service APIs served at a workspace's root (issue 23: seeds 000, 001, 002):
one package per service, each a blueprint plus its logic, backed by workspace projects."""
