"""The labelling-service APIs a workspace speaks (issue 23): one package per seed."""
