"""GitOps for rightsizing: patch manifests, render the pull request, talk to the forge.

Pure parts only (no database, no ``app``): the job in ``app.gitops`` clones the
repository, hands the files to ``patch_tree``, renders the PR with
``render_pull_request`` and opens it through a ``PullRequestProvider``.
"""
