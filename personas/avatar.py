"""A persona's avatar, drawn here from its name: initials on a colour derived from a hash of the name.
Nothing is fetched, so the card renders, prints and exports offline and the same name always looks
the same."""

import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Avatar:
    initials: str
    background: str  # "#rrggbb"
    foreground: str


def avatar_for(name: str) -> Avatar:
    digest = hashlib.sha256(name.strip().lower().encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    # Saturation and lightness are fixed so that white initials always meet WCAG AA contrast.
    return Avatar(initials=initials(name), background=_hsl_to_hex(hue, 0.55, 0.30), foreground="#ffffff")


def initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else words[0][1:2])
    return letters.upper()


def avatar_svg(name: str, size: int = 96) -> str:
    avatar = avatar_for(name)
    label = escape(f"Avatar of {name}", {'"': "&quot;"})
    font = round(size * 0.4)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{label}" class="avatar">'
        f'<circle cx="{size / 2}" cy="{size / 2}" r="{size / 2}" fill="{avatar.background}"/>'
        f'<text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="system-ui, sans-serif" '
        f'font-size="{font}" font-weight="700" fill="{avatar.foreground}">{escape(avatar.initials)}</text>'
        "</svg>"
    )


def _hsl_to_hex(hue: float, saturation: float, lightness: float) -> str:
    chroma = (1 - abs(2 * lightness - 1)) * saturation
    second = chroma * (1 - abs((hue / 60) % 2 - 1))
    match int(hue // 60):
        case 0:
            red, green, blue = chroma, second, 0.0
        case 1:
            red, green, blue = second, chroma, 0.0
        case 2:
            red, green, blue = 0.0, chroma, second
        case 3:
            red, green, blue = 0.0, second, chroma
        case 4:
            red, green, blue = second, 0.0, chroma
        case _:
            red, green, blue = chroma, 0.0, second
    offset = lightness - chroma / 2
    return "#" + "".join(f"{round((channel + offset) * 255):02x}" for channel in (red, green, blue))
