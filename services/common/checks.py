"""System checks guarding conventions every service relies on."""

from django.core.checks import Error, register


@register()
def platform_is_stdlib(app_configs, **kwargs):
    import platform

    if not hasattr(platform, "python_version"):
        return [Error("`platform` resolves to a project folder, not the stdlib module", id="thongthin.E001")]
    return []
