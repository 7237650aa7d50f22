"""Exchange with the world outside the clinic: patients' calendars (iCalendar, RFC 5545),
FHIR R4 export and import, public holidays. Above the services: it reads and writes only
through them, and never reads the clock (``now`` is passed in)."""
