"""duality-kg: a knowledge graph of the survey "The duality of generative AI and RL in robotics"."""

__version__ = "0.1.0"
__all__ = ["__version__"]
