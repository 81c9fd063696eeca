"""System checks guarding conventions every service relies on."""

from django.core.checks import Error, register


@register()
def platform_is_stdlib(app_configs, **kwargs):
    import platform

    if not hasattr(platform, "python_version"):
        return [Error("`platform` resolves to a project folder, not the stdlib module", id="thongthin.E001")]
    return []


@register()
def sealed_fields_stay_out_of_the_audit_log(app_configs, **kwargs):
    """auditlog writes field values in clear: a sealed column registered with it would leak."""
    from auditlog.registry import auditlog

    from .secret_box import encrypted_fields

    errors = []
    for model, names in encrypted_fields():
        if not auditlog.contains(model):
            continue
        fields = auditlog.get_model_fields(model)
        logged = [n for n in names if n not in fields["exclude_fields"]
                  and (not fields["include_fields"] or n in fields["include_fields"])]
        if logged:
            errors.append(Error(
                f"{model._meta.label}: sealed field(s) {', '.join(logged)} are logged by auditlog in clear",
                hint="add them to exclude_fields where the model is registered", id="thongthin.E002"))
    return errors
