"""A readable name for a signed-in device, from its browser's User-Agent (pure)."""

SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "Chromebook"),
    ("Linux", "Linux"),
)
# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("EdgA", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)


def device_label(user_agent):
    """ "Android · Chrome" from a User-Agent string; "Perangkat tidak dikenal" when it says nothing."""
    agent = user_agent or ""
    system = next((name for key, name in SYSTEMS if key in agent), None)
    browser = next((name for key, name in BROWSERS if key in agent), None)
    parts = [p for p in (system, browser) if p]
    return " · ".join(parts) if parts else "Perangkat tidak dikenal"
