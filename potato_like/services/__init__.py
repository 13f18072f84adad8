"""The labelling services' APIs a workspace serves at its root (issue 23): each its own
package, backed by the workspace's projects."""
