"""`{% medication_card access %}`: the 服薬・病名 section of the resident card.

Only for an access with VIEW_DETAILS (the selectors refuse others); the card's own audit row
(RESIDENT_VIEW, view "card") covers what it shows. Two queries: medications, diagnoses.
"""

from django import template

from renrakucho.residents import medication_selectors

register = template.Library()


@register.inclusion_tag("residents/medications/_card.html")
def medication_card(access):
    return {
        "resident": access.resident,
        "medications": medication_selectors.current_medications(access),
        "diagnoses": medication_selectors.current_diagnoses(access),
    }
