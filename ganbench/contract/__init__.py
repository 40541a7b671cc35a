"""The plugin contract's types and hooks: the bottom of the import graph.

Why a package of its own: every stage (plan, run, train, data, metrics, record) and every plugin
speaks these types, so they must import nothing else of ganbench (a test holds that). Plugin
authors import them from :mod:`ganbench.api`, the facade that also offers helper functions;
ganbench's own modules import them from here.
"""

from ganbench.contract.data import Dataset, DatasetInfo, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.latents import Encoding, LatentCode, StructuredCodes, can_encode, has_codes
from ganbench.contract.markers import PROJECT, hookimpl, hookspec
from ganbench.contract.metric import MetricContext, MetricSpec, MetricValue
from ganbench.contract.model import DATA_KINDS, BuildContext, Capabilities, GANModel, ModelSpec, ReplicaGroup, pack, pack_labels
from ganbench.contract.sink import Sink, SinkContext, SinkEvent, SinkSpec
from ganbench.contract.training_progress import TrainingBudget, TrainingProgress, lr_factor, set_lr
from ganbench.contract.translation import TranslationBatch, TranslationDataset, TranslationEval, TranslationModel
from ganbench.contract.versions import API_VERSION, OLDEST_API_VERSION, UNDECLARED_API_VERSION, api_compatible, api_declared, api_newer

__all__ = [
    "API_VERSION", "DATA_KINDS", "OLDEST_API_VERSION", "PROJECT", "UNDECLARED_API_VERSION",
    "BuildContext", "Capabilities", "Dataset", "DatasetInfo", "DatasetRequest", "DatasetSpec", "Encoding",
    "GANModel", "LatentCode", "MetricContext", "MetricSpec", "MetricValue", "ModelSpec", "ReplicaGroup",
    "Requirement", "Sink", "SinkContext", "SinkEvent", "SinkSpec", "StructuredCodes", "TrainingBudget",
    "TrainingProgress", "TranslationBatch", "TranslationDataset", "TranslationEval", "TranslationModel",
    "api_compatible", "api_declared", "api_newer", "can_encode", "has_codes", "hookimpl", "hookspec",
    "lr_factor", "pack", "pack_labels", "set_lr",
]
