"""The portal as an installable web app, one per town: its manifest, its icons (made from the town's
logo, or its initials when it has none), its service worker and the page shown when offline.

Each town is its own origin (its own host), so the browser never mixes one town's installed app,
caches or drafts with another's; on our side every icon cached is keyed by the town's schema and a
fingerprint of what it is drawn from, and the service worker names its caches after the town.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re

from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from services.common.models import StoredFile

# Bump when the worker's own code (templates/common/service_worker.js) changes.
WORKER_REVISION = "1"
ICON_SIZES = (192, 512)
APPLE_TOUCH_SIZE = 180
DEFAULT_COLOUR = "#0b5394"
# The shell every portal keeps for offline use; apps add theirs (AppConfig.offline_pages).
SHELL_PAGES = ("home", "offline")
SHELL_STATIC = (
    "thongthin/base.css",
    "fonts/sarabun/sarabun-thai-400-normal.woff2",
    "fonts/sarabun/sarabun-latin-400-normal.woff2",
    "fonts/sarabun/sarabun-thai-700-normal.woff2",
    "fonts/sarabun/sarabun-latin-700-normal.woff2",
)
# Standard abbreviations of the kinds of local government, for the name under the home-screen icon.
THAI_KIND_ABBREVIATIONS = (
    ("องค์การบริหารส่วนจังหวัด", "อบจ."),
    ("องค์การบริหารส่วนตำบล", "อบต."),
    ("เทศบาลนคร", "ทน."),
    ("เทศบาลเมือง", "ทม."),
    ("เทศบาลตำบล", "ทต."),
)
_GENERIC_WORDS = {"municipality", "subdistrict", "sub-district", "town", "city", "of", "the", "sao",
                  "administrative", "organization", "organisation", "tambon", "provincial"}
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def brand_colour(town) -> str:
    colour = str((town.branding or {}).get("colour") or "")
    return colour if _HEX_COLOUR.match(colour) else DEFAULT_COLOUR


def short_name(town, language: str) -> str:
    """The label under the icon: "ทต.อัลฟา" rather than the full title, which a phone would cut."""
    if language == "en":
        return (town.name_en or town.short_code)[:24]
    for long_form, abbreviation in THAI_KIND_ABBREVIATIONS:
        if town.name_th.startswith(long_form):
            return abbreviation + town.name_th[len(long_form):].strip()
    return town.name_th


def initials(town) -> str:
    """Up to three initials of the English name without the kind of town; else the short code."""
    words = [w for w in re.split(r"[\s\-]+", town.name_en or "") if w and w.lower() not in _GENERIC_WORDS]
    letters = "".join(w[0] for w in words if w[0].isascii() and w[0].isalpha()).upper()[:3]
    return letters or town.short_code[:3]


def _logo(town) -> StoredFile | None:
    logo_id = (town.branding or {}).get("logo")
    if not logo_id:
        return None
    try:
        return StoredFile.objects.filter(public_id=logo_id).first()
    except Exception:  # a malformed id in old branding data: draw the initials instead
        return None


def icon_fingerprint(town, logo: StoredFile | None) -> str:
    """Changes whenever the icon would look different: a new logo, colour or name."""
    source = "|".join([town.schema_name, logo.sha256 if logo else "", brand_colour(town), initials(town)])
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _draw_initials(town, size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), _hex_to_rgb(brand_colour(town)))
    text = initials(town)
    draw = ImageDraw.Draw(image)
    font_size = int(size * (0.42 if len(text) < 3 else 0.32))
    font = ImageFont.load_default(size=font_size)
    draw.text((size / 2, size / 2), text, fill="white", font=font, anchor="mm")
    return image


def _draw_logo(logo: StoredFile, size: int, *, maskable: bool) -> Image.Image | None:
    try:
        with logo.file.open("rb") as handle:
            source = Image.open(handle)
            source.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    source = source.convert("RGBA")
    # A maskable icon may be cut to a circle: keep the logo inside the middle 80 % (the safe zone).
    room = int(size * (0.72 if maskable else 0.9))
    source.thumbnail((room, room), Image.Resampling.LANCZOS)
    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    image.alpha_composite(source, ((size - source.width) // 2, (size - source.height) // 2))
    return image.convert("RGB")


def render_icon(town, size: int, *, maskable: bool = False) -> bytes:
    """The PNG of one icon of `town`, drawn from its logo, else from its initials."""
    logo = _logo(town)
    image = _draw_logo(logo, size, maskable=maskable) if logo is not None else None
    if image is None:
        image = _draw_initials(town, size)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def icon_png(town, size: int, *, maskable: bool = False) -> tuple[bytes, str]:
    """(PNG, fingerprint), drawn once per town and look; the key names the town's schema."""
    fingerprint = icon_fingerprint(town, _logo(town))
    key = f"web-app-icon:{town.schema_name}:{fingerprint}:{size}:{'maskable' if maskable else 'any'}"
    png = cache.get(key)
    if png is None:
        png = render_icon(town, size, maskable=maskable)
        cache.set(key, png, 7 * 86400)
    return png, fingerprint


def icon(request, size: int, purpose: str = "any"):
    if size not in (*ICON_SIZES, APPLE_TOUCH_SIZE) or purpose not in ("any", "maskable"):
        raise Http404
    png, fingerprint = icon_png(request.town, size, maskable=purpose == "maskable")
    response = HttpResponse(png, content_type="image/png")
    # A versioned URL never changes; an unversioned one (the apple-touch link) is checked daily.
    versioned = request.GET.get("v") == fingerprint
    response["Cache-Control"] = "public, max-age=31536000, immutable" if versioned else "public, max-age=86400"
    return response


def _icon_url(size: int, purpose: str, fingerprint: str) -> str:
    name = "web_app_icon_maskable" if purpose == "maskable" else "web_app_icon"
    return reverse(name, args=[size]) + f"?v={fingerprint}"


def manifest(request):
    town = request.town
    language = translation.get_language() or "th"
    english = language == "en"
    fingerprint = icon_fingerprint(town, _logo(town))
    icons = [
        {"src": _icon_url(size, "any", fingerprint), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in ICON_SIZES
    ]
    icons.append({"src": _icon_url(512, "maskable", fingerprint), "sizes": "512x512", "type": "image/png",
                  "purpose": "maskable"})
    shortcuts = [
        {"name": en if english else th, "url": reverse(url_name)}
        for config in apps.get_app_configs() if town.has_service(config.label)
        for th, en, url_name in getattr(config, "manifest_shortcuts", ())
    ]
    # start_url and id on the host the citizen came by (the manifest must share its origin).
    return JsonResponse({
        "id": "/",
        "name": (town.name_en or town.name_th) if english else town.name_th,
        "short_name": short_name(town, language),
        "description": "Town services online" if english else "บริการออนไลน์ของ" + town.name_th,
        "lang": language,
        "dir": "ltr",
        "start_url": request.build_absolute_uri("/"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": brand_colour(town),
        "icons": icons,
        "shortcuts": shortcuts,
    }, content_type="application/manifest+json")


def _app_configs_with_service(town):
    for config in apps.get_app_configs():
        if getattr(config, "offline_pages", None) is not None and town.has_service(config.label):
            yield config


def offline_shell(town) -> dict:
    """What the town's service worker keeps: pages (fetched without cookies, so never personal),
    static files, and the scripts the worker itself runs (the complaint drafts sender)."""
    pages, statics, scripts = [], list(SHELL_STATIC), []
    for name in SHELL_PAGES:
        pages.append(reverse(name))
    for config in _app_configs_with_service(town):
        for name in config.offline_pages:
            try:
                pages.append(reverse(name))
            except NoReverseMatch:
                continue
        statics.extend(getattr(config, "offline_static", ()))
        scripts.extend(getattr(config, "offline_worker_scripts", ()))
    fingerprint = icon_fingerprint(town, _logo(town))
    files = [static(path) for path in statics]
    files += [_icon_url(size, "any", fingerprint) for size in ICON_SIZES]
    logo = (town.branding or {}).get("logo")
    if logo:
        files.append(reverse("file_download", args=[logo]))
    return {"pages": pages, "static": files, "scripts": [static(path) for path in scripts]}


@functools.lru_cache(maxsize=64)
def _static_digest(path: str) -> str:
    """What a static file holds (it changes only with a deploy, which restarts the process)."""
    found = finders.find(path)
    if not found:
        return ""
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def shell_version(town, shell: dict) -> str:
    """Changes when anything the worker keeps would: our code, the town's look or services, and
    whatever each app says its offline pages depend on (complaints: the categories)."""
    parts = [WORKER_REVISION, town.schema_name, json.dumps(shell, sort_keys=True),
             json.dumps(town.branding or {}, sort_keys=True, default=str), town.name_th, town.name_en]
    statics = list(SHELL_STATIC)
    for config in _app_configs_with_service(town):
        statics += [*getattr(config, "offline_static", ()), *getattr(config, "offline_worker_scripts", ())]
    parts += [_static_digest(path) for path in statics]
    for config in _app_configs_with_service(town):
        version = getattr(config, "offline_version", None)
        if version is not None:
            parts.append(version())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def service_worker(request):
    town = request.town
    shell = offline_shell(town)
    config = {
        # The cache names carry the town: even two towns on one origin (a test host) never share one.
        "cache": f"thongthin-{town.schema_name}-{shell_version(town, shell)}",
        "cachePrefix": f"thongthin-{town.schema_name}-",
        "offlinePage": reverse("offline"),
        **shell,
    }
    for app_config in _app_configs_with_service(town):
        if hasattr(app_config, "offline_worker_config"):
            config.update(app_config.offline_worker_config())
    body = render_to_string("common/service_worker.js", {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser compares the worker byte for byte on every visit: never serve it from a cache.
    response["Cache-Control"] = "no-cache"
    return response


def offline(request):
    """The page the worker shows when a page is asked for without a connection."""
    notes = [
        config.offline_note_template for config in apps.get_app_configs()
        if getattr(config, "offline_note_template", "") and request.town.has_service(config.label)
    ]
    return render(request, "common/offline.html", {"notes": notes})

