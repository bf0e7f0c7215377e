from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import daily_event_series, dashboard_counts


class DashboardOutput(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    labels = serializers.ListField(child=serializers.CharField())
    series = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class DashboardApi(APIView):
    """The home dashboard's figures: table counts and events per day by type."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DashboardOutput)
    def get(self, request):
        series = daily_event_series()
        return Response({"counts": dashboard_counts(), **series})


urlpatterns = [path("dashboard/", DashboardApi.as_view(), name="api_dashboard")]
