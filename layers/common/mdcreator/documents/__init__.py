"""Documents: markdown in a workspace's tree, their revisions, the trash and share links."""
