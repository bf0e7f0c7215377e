from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "personas"
    verbose_name = "Personas"

    def ready(self) -> None:
        from governance.signals import approval_decided
        from personas.models import Persona
        from personas.selectors import person_persona_records
        from personas.services.publication import persona_approval_decided
        from personas.services.versions import quotes_of_erased_people_redact
        from segments.signals import people_erasing, person_exporting

        # Governance announces publication decisions; the persona's own service acts on them.
        approval_decided.connect(
            persona_approval_decided, sender=Persona, dispatch_uid="personas.publication"
        )
        # An erasure in segments reaches the words personas kept in their history.
        people_erasing.connect(quotes_of_erased_people_redact, dispatch_uid="personas.erasure")
        person_exporting.connect(person_persona_records, dispatch_uid="personas.access_request")
