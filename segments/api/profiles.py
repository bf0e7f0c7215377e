from django.urls import path
from rest_framework import generics, serializers

from segments.models import Profile
from segments.selectors import profile_list


class ProfileOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")

    class Meta:
        model = Profile
        fields = [
            "id",
            "external_id",
            "source",
            "first_name",
            "last_name",
            "gender",
            "birth_year",
            "city",
            "country",
            "created_at",
        ]


class ProfileListApi(generics.ListAPIView):
    """Profiles, newest first, a keyset page at a time; `q` searches names and identifiers."""

    serializer_class = ProfileOutput
    queryset = Profile.objects.none()

    def get_queryset(self):
        return profile_list(search=self.request.query_params.get("q", ""))


urlpatterns = [path("profiles/", ProfileListApi.as_view(), name="api_profile_list")]
