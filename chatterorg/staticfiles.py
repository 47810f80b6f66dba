"""Static files: only the SLDS build the pages use is collected."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class ChatterStaticFilesConfig(StaticFilesConfig):
    """``django.contrib.staticfiles``, leaving out SLDS's other stylesheet builds.

    The package ships several builds (imports, sanitized, legacy, offline, touch);
    some refer to files it does not ship, which the hashed-manifest storage of a
    production ``collectstatic`` refuses. The pages use the minified build only.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "salesforce-lightning-design-system-*.css",
        "salesforce-lightning-design-system_touch*.css",
        "salesforce-lightning-design-system.css",
        "salesforce-lightning-design-system.sanitized.css",
    ]
