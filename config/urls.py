from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from core.ratelimits import by_address, rate_limit

# Each request may send an email: throttled per address so the form cannot be used to flood an inbox.
password_reset = rate_limit("RATE_LIMIT_PASSWORD_RESET", what="password reset requests", key=by_address)(
    auth_views.PasswordResetView.as_view()
)

handler500 = "core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("core.urls")),
    path("bookings/", include("bookings.urls")),
    path("", include("wbs.urls")),
    path("admin/", admin.site.urls),
]
