from django.core.management.base import BaseCommand, CommandParser

from governance.services.users import demo_users_ensure
from segments.services.demo_data import demo_company_loaded, demo_data_generate


class Command(BaseCommand):
    help = "Generate the fictional demo company (profiles, identities, consents, events) and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profiles", type=int, default=20_000)
        parser.add_argument("--events", type=int, default=None, help="Default: 10 per profile.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--replace", action="store_true", help="Replace a demo company already loaded.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if it is already loaded.")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        if options["if_empty"] and demo_company_loaded():
            self.stdout.write("The demo company is already loaded.")
        else:
            result = demo_data_generate(
                profiles=options["profiles"],
                events=options["events"],
                seed=options["seed"],
                replace=options["replace"],
                progress=self._progress,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo company: {result['profiles']:,} profiles, {result['identities']:,} identities, "
                    f"{result['events']:,} events, {result['consents']:,} consents "
                    f"in {result['seconds']:.1f} s ({result['profiles_per_second']:,} profiles/s)."
                )
            )
        self.stdout.write("Demo logins:")
        for username, password, role in demo_users_ensure():
            self.stdout.write(f"  {role:<10} {username} / {password}")

    def _progress(self, percent: float, message: str) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{percent:5.1f}%  {message}")
