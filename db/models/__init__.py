"""kam's tables: every entity of the domain, with the constraints the domain demands.

Times are timezone-aware UTC; dates are calendar dates. Money is stored as floating
point in the supplier's currency (metrics run in pandas over float64 anyway). One module
per part of the domain; everything is importable from `db.models`.

A table's module is imported when its first name is asked for (`from db.models import
Customer` builds the customers' tables alone), so a command builds only the tables it
uses; `load_all()` registers every table (migrations, creating a schema).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from db.models.base import enum_column, score_check, utcnow

#: Each table class by the module that defines it.
WHERE: dict[str, str] = {
    "AccountPlan": "plans",
    "Assessment": "programme",
    "AssessmentScore": "programme",
    "AuditEvent": "audit",
    "BestPractice": "reviews",
    "Commitment": "records",
    "Complaint": "records",
    "Contact": "records",
    "Criterion": "programme",
    "Customer": "customers",
    "CustomerValue": "values",
    "HealthSnapshot": "values",
    "Interaction": "records",
    "InteractionContact": "records",
    "KeyAccount": "programme",
    "ManagerSkill": "people",
    "PlanAction": "plans",
    "PlanComment": "plans",
    "PlanGoal": "plans",
    "PlanObjective": "plans",
    "ProductCategory": "customers",
    "ProgrammeSetting": "settings",
    "Review": "reviews",
    "ReviewPractice": "reviews",
    "ServiceCost": "customers",
    "TrainingRecord": "people",
    "Transaction": "customers",
    "User": "people",
    "ValueFit": "values",
}

if TYPE_CHECKING:
    from db.models.audit import AuditEvent
    from db.models.customers import Customer, ProductCategory, ServiceCost, Transaction
    from db.models.people import ManagerSkill, TrainingRecord, User
    from db.models.plans import AccountPlan, PlanAction, PlanComment, PlanGoal, PlanObjective
    from db.models.programme import Assessment, AssessmentScore, Criterion, KeyAccount
    from db.models.records import Commitment, Complaint, Contact, Interaction, InteractionContact
    from db.models.reviews import BestPractice, Review, ReviewPractice
    from db.models.settings import ProgrammeSetting
    from db.models.values import CustomerValue, HealthSnapshot, ValueFit


#: The modules whose tables a module's foreign keys point to: built with it, since
#: writing a row orders the tables by their keys and needs every table they name.
NEEDS: dict[str, tuple[str, ...]] = {
    "records": ("customers", "people"),
    "programme": ("customers", "people", "records"),
    "plans": ("people", "programme", "records"),
    "reviews": ("people", "programme"),
    "values": ("customers", "people", "programme", "reviews"),
    "settings": ("people",),
}


def _build(module: str) -> Any:
    for needed in NEEDS.get(module, ()):
        _build(needed)
    return importlib.import_module(f"db.models.{module}")


def __getattr__(name: str) -> Any:
    module = WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'db.models' has no attribute '{name}'")
    value = getattr(_build(module), name)
    globals()[name] = value
    return value


def load_all() -> None:
    """Import every table module, so SQLModel.metadata holds the whole schema."""
    for module in sorted(set(WHERE.values())):
        _build(module)


__all__ = [
    "AccountPlan",
    "Assessment",
    "AssessmentScore",
    "AuditEvent",
    "BestPractice",
    "Commitment",
    "Complaint",
    "Contact",
    "Criterion",
    "Customer",
    "CustomerValue",
    "HealthSnapshot",
    "Interaction",
    "InteractionContact",
    "KeyAccount",
    "ManagerSkill",
    "PlanAction",
    "PlanComment",
    "PlanGoal",
    "PlanObjective",
    "ProductCategory",
    "ProgrammeSetting",
    "Review",
    "ReviewPractice",
    "ServiceCost",
    "TrainingRecord",
    "Transaction",
    "User",
    "ValueFit",
    "enum_column",
    "score_check",
    "utcnow",
]
