"""TireBrain (轮胎产业大脑): the platform that runs Shandong's tyre-industry action plan."""

__version__ = "0.1.0"
