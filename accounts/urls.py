from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("auth/devices/", views.DeviceListView.as_view(), name="device-list"),
    path("auth/devices/<uuid:device_id>/", views.DeviceDetailView.as_view(), name="device-detail"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("auth/password/reset/", views.PasswordResetRequestView.as_view(), name="password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("auth/email/confirm/", views.EmailConfirmView.as_view(), name="email-confirm"),
    path("auth/email/resend/", views.EmailResendView.as_view(), name="email-resend"),
    path("auth/email/change/", views.EmailChangeView.as_view(), name="email-change"),
    path("me/", views.MeView.as_view(), name="me"),
    path("account/delete/", views.AccountDeleteView.as_view(), name="account-delete"),
]
