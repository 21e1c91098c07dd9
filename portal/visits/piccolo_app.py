from portal.core.piccolo_app import domain_app

APP_CONFIG = domain_app("visits", after=["accounts", "housing"])
