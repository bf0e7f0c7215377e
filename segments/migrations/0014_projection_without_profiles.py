"""A clustering run's scatter sample no longer names the people plotted: the run is readable by
everyone who may read its segmentation, including the runs whose segments are sensitive, so the
profile ids stored until now are removed from every run."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("segments", "0013_features_shares_as_arrays")]

    operations = [
        migrations.RunSQL(
            "UPDATE segments_clusteringrun SET projection = projection - 'profile_id' "
            "WHERE projection ? 'profile_id'",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
