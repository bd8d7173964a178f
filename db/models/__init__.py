"""kam's tables: every entity of the domain, with the constraints the domain demands.

Times are timezone-aware UTC; dates are calendar dates. Money is stored as floating
point in the supplier's currency (metrics run in pandas over float64 anyway). One module
per part of the domain; everything is importable from `db.models`.
"""

from db.models.audit import AuditEvent
from db.models.base import enum_column, score_check, utcnow
from db.models.customers import Customer, ProductCategory, ServiceCost, Transaction
from db.models.people import ManagerSkill, TrainingRecord, User
from db.models.plans import AccountPlan, PlanAction, PlanComment, PlanGoal, PlanObjective
from db.models.programme import Assessment, AssessmentScore, Criterion, KeyAccount
from db.models.records import Commitment, Complaint, Contact, Interaction, InteractionContact
from db.models.reviews import BestPractice, ProgrammeSetting, Review, ReviewPractice
from db.models.values import CustomerValue, HealthSnapshot, ValueFit

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
