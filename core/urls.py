from django.urls import path

from core import health, views_audit, views_failures, views_language

app_name = "core"

# HealthCheckMiddleware answers these paths before URL routing; the routes exist so that `reverse()`
# and anything that bypasses the middleware (the test client with a custom stack) still reach them.
urlpatterns = [
    path("health/", health.liveness, name="health"),
    path("health/live/", health.liveness, name="health_live"),
    path("health/ready/", health.readiness, name="health_ready"),
    path("readiness/", health.readiness, name="readiness"),
    path("health/detailed/", health.detailed, name="health_detailed"),
    path("account/language/", views_language.language, name="language"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/object/<int:content_type_id>/<str:object_id>/", views_audit.audit_object, name="audit_object"),
    path("ops/failures/", views_failures.failure_list, name="job_failures"),
    path("ops/failures/<int:pk>/", views_failures.failure_detail, name="job_failure"),
    path("ops/failures/<int:pk>/state/", views_failures.failure_state, name="job_failure_state"),
]
