"""LKE framework definitions as data (D1): the tree, its rule block, the parser and the loader.

A framework file (``frameworks/<code>.yaml``, format in ``docs/lke-framework.md``) describes one
regulation version: components -> parts -> areas -> sub-areas -> items, the answer type and
options of each item, the count inputs of % items, evidence documents and the eligibility rule
block. Nothing here touches Flask or a database.

Modules: ``model`` (the frozen tree), ``rules`` (the eligibility rule block), ``parse`` (building
and validating a Framework from YAML) and ``registry`` (the bundled files by code).
"""

from tracker.lke.framework.model import (
    CHOICE_KEYS,
    AnswerType,
    Area,
    Component,
    CountInput,
    Document,
    Formula,
    FormulaKind,
    Framework,
    Item,
    Option,
    Part,
    PartKind,
    ProvenanceField,
    SoalRef,
    SubArea,
    ZeroDenominator,
    sub_area_tree,
)
from tracker.lke.framework.parse import FrameworkError, parse_framework, to_decimal
from tracker.lke.framework.registry import (
    FRAMEWORK_DIR,
    LoadedFramework,
    framework_path,
    get_framework,
    load_framework_file,
)
from tracker.lke.framework.rules import (
    METRIC_PATTERN,
    Eligibility,
    FloorMode,
    PredicateRules,
    Rule,
)

__all__ = [
    "CHOICE_KEYS",
    "FRAMEWORK_DIR",
    "METRIC_PATTERN",
    "AnswerType",
    "Area",
    "Component",
    "CountInput",
    "Document",
    "Eligibility",
    "FloorMode",
    "Formula",
    "FormulaKind",
    "Framework",
    "FrameworkError",
    "Item",
    "LoadedFramework",
    "Option",
    "Part",
    "PartKind",
    "PredicateRules",
    "ProvenanceField",
    "Rule",
    "SoalRef",
    "SubArea",
    "ZeroDenominator",
    "framework_path",
    "get_framework",
    "load_framework_file",
    "parse_framework",
    "sub_area_tree",
    "to_decimal",
]
