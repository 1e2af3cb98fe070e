"""Task templates (/wbs/templates/), turnovers, the cleaners' field app (/my/) and calendar feeds."""

urlpatterns: list = []
