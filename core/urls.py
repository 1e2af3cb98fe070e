from django.urls import path

from core import health, views_audit

app_name = "core"

# HealthCheckMiddleware answers these paths before URL routing; the routes exist so that `reverse()`
# and anything that bypasses the middleware (the test client with a custom stack) still reach them.
urlpatterns = [
    path("health/", health.liveness, name="health"),
    path("health/live/", health.liveness, name="health_live"),
    path("health/ready/", health.readiness, name="health_ready"),
    path("readiness/", health.readiness, name="readiness"),
    path("health/detailed/", health.detailed, name="health_detailed"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/object/<int:content_type_id>/<str:object_id>/", views_audit.audit_object, name="audit_object"),
]
