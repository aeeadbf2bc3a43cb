"""Country charts: Spotify's daily and weekly top 50 of many countries, so that a platform
lists more charts than one page of the chart list holds (100)."""

from __future__ import annotations

from chartcascade.sandbox.charts import ChartSpec

COUNTRY_CODES = (
    "AD", "AE", "AR", "AT", "AU", "BE", "BG", "BO", "BR", "BY", "CA", "CH", "CL", "CO", "CR",
    "CY", "CZ", "DE", "DK", "DO", "EC", "EE", "EG", "ES", "FI", "FR", "GB", "GR", "GT", "HK",
    "HN", "HU", "ID", "IE", "IL", "IN", "IS", "IT", "JP", "KR", "KZ", "LT", "LU", "LV", "MA",
    "MX", "MY", "NG", "NI", "NL", "NO", "NZ", "PA", "PE", "PH", "PK", "PL", "PT", "PY", "RO",
    "SA", "SE", "SG", "SK", "SV", "TH", "TR", "TW", "UA", "US", "UY", "VE", "VN", "ZA",
    ").split(",
)  # fmt: skip
KINDS = (("daily", "Top 50"), ("weekly", "Weekly Top 50"))


def country_chart_specs(count: int) -> list[ChartSpec]:
    """The first `count` country charts (daily charts of every country, then weekly ones)."""
    limit = len(COUNTRY_CODES) * len(KINDS)
    if not 0 <= count <= limit:
        raise ValueError(f"country_charts must be between 0 and {limit}")
    specs = []
    for frequency, title in KINDS:
        for code in COUNTRY_CODES:
            slug = f"{title.lower().replace(' ', '-')}-{code.lower()}"
            specs.append(
                ChartSpec(
                    slug,
                    f"{title} {code}",
                    "top",
                    "spotify",
                    50,
                    ("streams", "Number of streams"),
                    "00",
                    0.5,
                    0.3,
                    0.6,
                    400_000,
                    f"https://charts.spotify.com/charts/view/regional-{code.lower()}-{frequency}",
                    frequency=frequency,
                    country_code=code,
                    country_name=code,
                )  # fmt: skip
            )
    return specs[:count]
