"""WBS trees (/wbs/) and task pages."""

urlpatterns: list = []
