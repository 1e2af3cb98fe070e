"""URLs of the wbs app, namespace `wbs`, one module per area."""

from wbs import urls_planning, urls_projects, urls_today, urls_turnovers

app_name = "wbs"

urlpatterns = (
    urls_today.urlpatterns + urls_projects.urlpatterns + urls_planning.urlpatterns + urls_turnovers.urlpatterns
)
