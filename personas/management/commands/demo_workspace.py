from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.models import User
from personas.services.demo_workspace import (
    DemoWorkspaceFailed,
    demo_workspace_prepare,
    demo_workspace_prepared,
)


class Command(BaseCommand):
    help = (
        "Bring the demo company to life: resolve identities, compute features, build example segments "
        "and draft a persona, owned by the demo marketer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if segments or personas exist."
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and demo_workspace_prepared():
            self.stdout.write("The demo workspace is already prepared.")
            return
        owner = User.objects.filter(username="marketer").first()
        if owner is None:
            raise CommandError("Run `manage.py demo_data` first: it creates the demo logins.")
        try:
            result = demo_workspace_prepare(owner=owner, say=self.stdout.write)
        except DemoWorkspaceFailed as failure:
            raise CommandError(str(failure)) from failure
        for name, size in result["segments"].items():
            self.stdout.write(f"  segment {name}: {size:,} people")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo workspace ready: {result['profiles_merged']:,} duplicate profiles merged, "
                f"persona “{result['persona']}” drafted."
            )
        )
