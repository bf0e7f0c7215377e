from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "personas"
    verbose_name = "Personas"

    def ready(self) -> None:
        from governance.signals import approval_decided
        from personas.models import Persona
        from personas.services.publication import persona_approval_decided

        # Governance announces publication decisions; the persona's own service acts on them.
        approval_decided.connect(
            persona_approval_decided, sender=Persona, dispatch_uid="personas.publication"
        )
