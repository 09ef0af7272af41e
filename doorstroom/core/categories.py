"""The data categories as plain values, so that pure rules can say which category a piece of data
belongs to by what it says (a health goal is health data on every page). The Django choices with
their labels are `participants.models.DataCategory`; the values here are the same."""

IDENTITY = "identiteit"
CONTACT = "contact"
TRAJECTORY = "traject"
PLAN = "plan"
MEASUREMENTS = "metingen"
NOTES = "notities"
WORK_EDUCATION = "werk_opleiding"
HEALTH = "gezondheid"
DEBTS = "schulden"
JUSTICE = "justitie"

ALL = (IDENTITY, CONTACT, TRAJECTORY, PLAN, MEASUREMENTS, NOTES, WORK_EDUCATION, HEALTH, DEBTS, JUSTICE)
#: special categories (AVG art. 9 and 10) and debts: never implied by a page, always by content
SPECIAL = frozenset({HEALTH, DEBTS, JUSTICE})
