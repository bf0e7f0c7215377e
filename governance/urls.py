from django.contrib.auth import views as auth_views
from django.urls import path

from governance import views, views_approvals

app_name = "governance"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/password/done/"),
        name="password_change",
    ),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("jobs/", views.job_list_view, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail_view, name="job_detail"),
    path("jobs/<int:job_id>/progress/", views.job_progress_view, name="job_progress"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("governance/audit/", views.audit_list_view, name="audit_list"),
    path("notifications/", views.notification_list_view, name="notification_list"),
    path("approvals/", views_approvals.approval_list_view, name="approval_list"),
    path("approvals/<int:request_id>/decide/", views_approvals.approval_decide_view, name="approval_decide"),
    path(
        "approvals/<int:request_id>/withdraw/",
        views_approvals.approval_withdraw_view,
        name="approval_withdraw",
    ),
]
