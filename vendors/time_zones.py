"""US states and territories, and the IANA time zone a new place there defaults to.

A state spanning zones takes the zone most of its people live in (Texas: Central; Florida, Michigan,
Indiana, Kentucky, Tennessee: their larger part; Arizona: no DST, except the Navajo Nation).
"""

STATE_TIME_ZONES: dict[str, tuple[str, str]] = {
    "AL": ("Alabama", "America/Chicago"),
    "AK": ("Alaska", "America/Anchorage"),
    "AZ": ("Arizona", "America/Phoenix"),
    "AR": ("Arkansas", "America/Chicago"),
    "CA": ("California", "America/Los_Angeles"),
    "CO": ("Colorado", "America/Denver"),
    "CT": ("Connecticut", "America/New_York"),
    "DE": ("Delaware", "America/New_York"),
    "DC": ("District of Columbia", "America/New_York"),
    "FL": ("Florida", "America/New_York"),
    "GA": ("Georgia", "America/New_York"),
    "HI": ("Hawaii", "Pacific/Honolulu"),
    "ID": ("Idaho", "America/Boise"),
    "IL": ("Illinois", "America/Chicago"),
    "IN": ("Indiana", "America/Indiana/Indianapolis"),
    "IA": ("Iowa", "America/Chicago"),
    "KS": ("Kansas", "America/Chicago"),
    "KY": ("Kentucky", "America/New_York"),
    "LA": ("Louisiana", "America/Chicago"),
    "ME": ("Maine", "America/New_York"),
    "MD": ("Maryland", "America/New_York"),
    "MA": ("Massachusetts", "America/New_York"),
    "MI": ("Michigan", "America/Detroit"),
    "MN": ("Minnesota", "America/Chicago"),
    "MS": ("Mississippi", "America/Chicago"),
    "MO": ("Missouri", "America/Chicago"),
    "MT": ("Montana", "America/Denver"),
    "NE": ("Nebraska", "America/Chicago"),
    "NV": ("Nevada", "America/Los_Angeles"),
    "NH": ("New Hampshire", "America/New_York"),
    "NJ": ("New Jersey", "America/New_York"),
    "NM": ("New Mexico", "America/Denver"),
    "NY": ("New York", "America/New_York"),
    "NC": ("North Carolina", "America/New_York"),
    "ND": ("North Dakota", "America/Chicago"),
    "OH": ("Ohio", "America/New_York"),
    "OK": ("Oklahoma", "America/Chicago"),
    "OR": ("Oregon", "America/Los_Angeles"),
    "PA": ("Pennsylvania", "America/New_York"),
    "RI": ("Rhode Island", "America/New_York"),
    "SC": ("South Carolina", "America/New_York"),
    "SD": ("South Dakota", "America/Chicago"),
    "TN": ("Tennessee", "America/Chicago"),
    "TX": ("Texas", "America/Chicago"),
    "UT": ("Utah", "America/Denver"),
    "VT": ("Vermont", "America/New_York"),
    "VA": ("Virginia", "America/New_York"),
    "WA": ("Washington", "America/Los_Angeles"),
    "WV": ("West Virginia", "America/New_York"),
    "WI": ("Wisconsin", "America/Chicago"),
    "WY": ("Wyoming", "America/Denver"),
    "PR": ("Puerto Rico", "America/Puerto_Rico"),
    "GU": ("Guam", "Pacific/Guam"),
    "VI": ("U.S. Virgin Islands", "America/St_Thomas"),
}

STATE_CHOICES = [(code, name) for code, (name, _) in sorted(STATE_TIME_ZONES.items(), key=lambda item: item[1][0])]


def time_zone_for_state(state: str) -> str | None:
    """The default zone of a place in `state` (a two-letter code, any case); None when unknown or empty."""
    entry = STATE_TIME_ZONES.get((state or "").strip().upper())
    return entry[1] if entry else None
