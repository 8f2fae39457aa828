from django.apps import AppConfig


class PortPlannerConfig(AppConfig):
    name = "portplanner"
    verbose_name = "Port Planner"
