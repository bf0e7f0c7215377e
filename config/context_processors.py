from config.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    return {
        "navigation": navigation_for(user=user, current_path=request.path),
        "unread_notifications": user.notifications.filter(read_at=None).count(),
    }
