"""A persona's quotes over the API: kept quotes for every reader, candidates for those who may change
the persona; adding, changing, removing, and keeping a candidate (consent is checked again)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from personas.api.serializers import QuoteOutput, QuoteWriteInput
from personas.models import Persona, Quote
from personas.selectors import CHANGE, persona_can_change, persona_get_for_user
from personas.services.quotes import quote_create, quote_delete, quote_keep, quote_update


class QuoteListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=QuoteOutput(many=True))
    def get(self, request, persona_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id)
        quotes = persona.quotes.order_by("is_candidate", "id")
        if not persona_can_change(user=request.user, persona=persona):
            quotes = quotes.filter(is_candidate=False)
        return Response(QuoteOutput(_with_persona(quotes, persona), many=True).data)

    @extend_schema(request=QuoteWriteInput, responses={201: QuoteOutput})
    def post(self, request, persona_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        data = QuoteWriteInput(data=request.data)
        data.is_valid(raise_exception=True)
        quote = quote_create(persona=persona, actor=request.user, data=data.validated_data)
        return Response(QuoteOutput(quote).data, status=status.HTTP_201_CREATED)


class QuoteDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=QuoteOutput)
    def get(self, request, persona_id: int, quote_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id)
        quote = _quote(persona, quote_id)
        if quote.is_candidate and not persona_can_change(user=request.user, persona=persona):
            raise Http404("No such quote.")
        return Response(QuoteOutput(quote).data)

    @extend_schema(request=QuoteWriteInput, responses=QuoteOutput)
    def patch(self, request, persona_id: int, quote_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        data = QuoteWriteInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        quote = _quote(persona, quote_id)
        quote = quote_update(quote=quote, actor=request.user, data=data.validated_data)
        return Response(QuoteOutput(quote).data)

    @extend_schema(responses={204: None})
    def delete(self, request, persona_id: int, quote_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        quote = _quote(persona, quote_id)
        quote_delete(quote=quote, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuoteKeepApi(APIView):
    """A candidate quote becomes part of the persona (400 if its author has withdrawn consent)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=QuoteOutput)
    def post(self, request, persona_id: int, quote_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        quote = _quote(persona, quote_id)
        quote = quote_keep(quote=quote, actor=request.user)
        return Response(QuoteOutput(quote).data)


def _quote(persona: Persona, quote_id: int) -> Quote:
    quote = Quote.objects.filter(id=quote_id, persona=persona).first()
    if quote is None:
        raise Http404("No such quote.")
    quote.persona = persona
    return quote


def _with_persona(quotes, persona: Persona) -> list[Quote]:
    listed = list(quotes)
    for quote in listed:
        quote.persona = persona  # the figure lives on the persona: one read, not one per quote
    return listed
