"""The policy: the one place that says which role may do what, and on which objects.

Views and API endpoints declare the capability they need with `@requires("area.thing.verb")`;
selectors narrow their querysets with `scoped(actor, capability, queryset)`; nothing else checks a
role. Anything not granted here is denied (fail closed). Each area adds its capabilities to
CAPABILITIES below.

Scopes, widest first:
- KINDERGARTEN: every row of the kindergarten (narrowed to the campus when the membership has one
  and the row belongs to a campus; rows of the whole kindergarten stay visible);
- CLASS: rows of the membership's classes;
- CHILD: rows of the parent's own children (through org.Guardian.user);
- DISTRICT: aggregate figures of the district's kindergartens (supervisors), never child rows.

A model opts into scoping by declaring `scope_paths`, the lookups from it to a campus, a class and
a child. A grant whose scope has no path on the model denies.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from houqin.core.roles import Role


class Scope(str, Enum):
    KINDERGARTEN = "kindergarten"
    CAMPUS = "campus"
    CLASS = "class"
    CHILD = "child"
    DISTRICT = "district"


K, C, CH, D = Scope.KINDERGARTEN, Scope.CLASS, Scope.CHILD, Scope.DISTRICT
ALL_STAFF = [r for r in Role if r not in (Role.PARENT, Role.SUPERVISOR)]
EVERYONE_IN_KINDERGARTEN = [r for r in Role if r != Role.SUPERVISOR]

# Capabilities that need no membership: declared so that the URL walk finds a policy for them.
PUBLIC = "public"  # anyone, logged in or not (login page, health check)
AUTHENTICATED = "authenticated"  # any logged-in user (the chooser, the language switch)
SUPERUSER = "superuser"  # Django's admin: back-office repair only


@dataclass(frozen=True)
class Capability:
    name: str
    grants: dict[Role, Scope]
    sensitive: bool = False  # each use is written to the audit log
    description: str = ""


def _grant(roles, scope) -> dict[Role, Scope]:
    return {role: scope for role in roles}


_CORE_AND_ORG = [
    # --- home and navigation -------------------------------------------------------------
    Capability("home.view", _grant(EVERYONE_IN_KINDERGARTEN, K), description="Home page with to-dos"),
    Capability("district.view", {Role.SUPERVISOR: D}, description="District comparison of kindergartens"),
    # --- organisation ---------------------------------------------------------------------
    Capability(
        "org.class.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Classes and their sizes",
    ),
    Capability(
        "org.class.change", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Create and edit classes"
    ),
    Capability(
        "org.child.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C, Role.PARENT: CH},
        description="Children: name, class, birth date, guardians",
    ),
    Capability(
        "org.child.view_sensitive",
        {Role.PRINCIPAL: K, Role.HEALTH_TEACHER: K, Role.CLASS_TEACHER: C, Role.PARENT: CH},
        sensitive=True,
        description="Identity-card number and guardians' phones of a child",
    ),
    Capability(
        "org.child.create", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Enrol a child"
    ),
    Capability(
        "org.child.change",
        {Role.PRINCIPAL: K, Role.DIRECTOR: K, Role.CLASS_TEACHER: C},
        description="Edit a child, guardians and pick-up people; record leaving",
    ),
    Capability(
        "org.child.void", {Role.PRINCIPAL: K}, description="Void a child entered by mistake"
    ),
    Capability(
        "org.roster.import", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Import rosters from .xlsx"
    ),
    Capability(
        "org.roster.export", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, sensitive=True,
        description="Export rosters to .xlsx",
    ),
    Capability(
        "org.staff.view", {Role.PRINCIPAL: K, Role.DIRECTOR: K}, description="Staff and their roles"
    ),
    Capability(
        "org.staff.change", {Role.PRINCIPAL: K}, description="Add staff, change roles, deactivate"
    ),
    Capability(
        "org.staff.otp_reset", {Role.PRINCIPAL: K},
        description="Reset a staff member's two-step sign-in (lost phone): they enrol again",
    ),
    Capability("core.audit.view", {Role.PRINCIPAL: K}, description="Audit log of the kindergarten"),
    Capability("org.privacy.export", {Role.PARENT: CH}, sensitive=True,
               description="A guardian downloads everything held about their child (PIPL art. 45): JSON, files, PDF"),
    Capability("org.privacy.erase", {Role.PRINCIPAL: K}, sensitive=True,
               description="Carry out a guardian's written request to delete a child's information (PIPL art. 47)"),
]

# --- stock (houqin.stock): warehouses, items, batches, the movement ledger, requisitions, stocktakes
_STOCK: list[Capability] = [
    Capability(
        "stock.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.ACCOUNTANT], K),
        description="Stock on hand, items, batches, suppliers and the ledger; low stock and expiry",
    ),
    Capability("stock.item.change", _grant([Role.DIRECTOR, Role.STOREKEEPER], K), description="Add and edit items and suppliers"),
    Capability("stock.receive", _grant([Role.DIRECTOR, Role.STOREKEEPER], K), description="Receive goods into a store; correct a receipt"),
    Capability("stock.issue", _grant([Role.DIRECTOR, Role.STOREKEEPER], K), description="Issue goods to people and transfer between stores"),
    Capability(
        "stock.issue_kitchen", _grant([Role.DIRECTOR, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Issue food to the kitchen for a day's meals",
    ),
    Capability("stock.dispose", _grant([Role.DIRECTOR, Role.STOREKEEPER], K), description="Dispose of expired or damaged goods"),
    Capability(
        "stock.requisition.create",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.ACCOUNTANT,
                   Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Ask for items (for one's class, or oneself) and cancel one's own open requisitions",
    ),
    Capability(
        "stock.requisition.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.STOREKEEPER, Role.ACCOUNTANT], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Requisitions and what each class and person took",
    ),
    Capability(
        "stock.requisition.issue", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
        description="Issue or reject requisitions",
    ),
    Capability(
        "stock.stocktake.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.STOREKEEPER, Role.ACCOUNTANT], K),
        description="Stocktakes and their differences",
    ),
    Capability(
        "stock.stocktake", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
        description="Open a stocktake, enter counts, post or close it",
    ),
    Capability(
        "stock.export", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.STOREKEEPER, Role.ACCOUNTANT], K),
        description="Monthly movements report and stock value, as pages and .xlsx",
    ),
    Capability(
        "stock.settings", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Warehouses and the kindergarten's expiry warning rule",
    ),
]

# --- assets (houqin.assets): fixed-asset register, class handovers, asset stocktakes
_ASSETS: list[Capability] = [
    Capability(
        "assets.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.STOREKEEPER, Role.ACCOUNTANT], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Fixed-asset register, rooms, class handovers and asset stocktakes (class staff: their class)",
    ),
    Capability(
        "assets.change", {Role.DIRECTOR: K, Role.STOREKEEPER: K},
        description="Register and edit assets and rooms, photos, under repair / back in use",
    ),
    Capability(
        "assets.scrap", {Role.PRINCIPAL: K, Role.DIRECTOR: K},
        description="Scrap assets (with a reason); void entries made by mistake",
    ),
    Capability("assets.import", {Role.DIRECTOR: K, Role.STOREKEEPER: K}, description="Import an asset register (.xlsx)"),
    Capability("assets.export", {Role.DIRECTOR: K, Role.STOREKEEPER: K}, description="Export the asset register (.xlsx)"),
    Capability(
        "assets.handover.sign", {Role.CLASS_TEACHER: C},
        description="Count and sign the class's asset handover",
    ),
    Capability(
        "assets.handover.close", {Role.DIRECTOR: K, Role.STOREKEEPER: K},
        description="Open, return and close class handovers; charges for loss or damage by negligence",
    ),
    Capability("assets.stocktake", {Role.DIRECTOR: K, Role.STOREKEEPER: K}, description="Asset stocktakes by room"),
]

# --- finance (houqin.finance): purchase and repair requests, expenses, budgets, fee standards
_FINANCE: list[Capability] = [
    # Requests: staff ask, the director approves, the principal too at or above the threshold.
    Capability(
        "finance.purchase.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.STOREKEEPER, Role.CANTEEN, Role.HEALTH_TEACHER], K),
        description="Purchase requests (申购)",
    ),
    Capability(
        "finance.purchase.create", _grant([Role.DIRECTOR, Role.STOREKEEPER, Role.CANTEEN, Role.HEALTH_TEACHER], K),
        description="Ask to buy something (other staff ask through the director)",
    ),
    Capability(
        "finance.purchase.approve", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Approve or reject purchase requests (never one's own)",
    ),
    Capability(
        "finance.purchase.process", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
        description="Record an approved purchase as ordered and received",
    ),
    Capability("finance.repair.view", _grant(ALL_STAFF, K), description="Repair requests (维修申请)"),
    Capability("finance.repair.create", _grant(ALL_STAFF, K), description="Report something that needs repair"),
    Capability(
        "finance.repair.approve", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Approve or reject repair requests (never one's own)",
    ),
    Capability(
        "finance.repair.record", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
        description="Record who repaired it, the cost and when the asset came back",
    ),
    # Expenses: signed 经手人 → 验收人 → 园长 (the service checks who may sign which step), paid by the accountant.
    Capability(
        "finance.expense.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Expenses (报销) and their receipts",
    ),
    Capability(
        "finance.expense.create", _grant([Role.DIRECTOR, Role.ACCOUNTANT, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Record an expense with its receipts",
    ),
    Capability(
        "finance.expense.sign",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Sign an expense: handler (the person named), acceptor (director, storekeeper), principal",
    ),
    Capability("finance.expense.pay", {Role.ACCOUNTANT: K}, description="Pay a fully signed expense"),
    Capability("finance.expense.void", {Role.PRINCIPAL: K}, description="Void an expense with a reason"),
    Capability(
        "finance.budget.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT], K),
        description="Budgets with spent, committed and remaining amounts",
    ),
    Capability("finance.budget.change", {Role.ACCOUNTANT: K}, description="Set budgets and budget categories"),
    Capability(
        "finance.report.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT], K),
        description="Monthly spending report against budget (PDF, .xlsx)",
    ),
    Capability(
        "finance.settings.change", {Role.PRINCIPAL: K},
        description="The kindergarten's money rules (the principal's approval threshold)",
    ),
    Capability("finance.fees.view", _grant(EVERYONE_IN_KINDERGARTEN, K), description="Published fee standards"),
    Capability(
        "finance.fees.change", _grant([Role.PRINCIPAL, Role.ACCOUNTANT], K),
        description="Draft, publish and void fee standards (收费标准)",
    ),
    # energy and water (水电气): finance/utilities.py
    Capability("finance.utilities.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.STOREKEEPER], K),
               description="Meters, their monthly readings and the use against the same month last year"),
    Capability("finance.utilities.record", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
               description="Add meters and record the monthly readings"),
    Capability(
        "finance.bill.view", {Role.PRINCIPAL: K, Role.ACCOUNTANT: K, Role.PARENT: CH},
        description="Monthly fee bills and receipts (parents: their own children's issued bills)",
    ),
    Capability(
        "finance.bill.change", _grant([Role.PRINCIPAL, Role.ACCOUNTANT], K),
        description="Generate and issue the month's fee bills; void and reissue a bill; the bills' rules",
    ),
    Capability("finance.bill.pay", {Role.ACCOUNTANT: K}, description="Record and void payments of fee bills"),
    # big events (大型活动): finance/events.py
    Capability("finance.event.view", _grant(ALL_STAFF, K),
               description="Big events (六一, sports meet, open day): their logistics, needs and budget"),
    Capability("finance.event.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Plan an event, list what it needs and make its purchase request"),
]

# --- each area's capabilities: edit only your area's list ------------------------------------
_STAFF: list[Capability] = [  # houqin.staff: posts, assessment, awards, trainings, meetings, health certificates
    Capability("staff.view", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Posts, assessment items, who holds which post, awards (服务之星, 爱心阿姨)"),
    Capability("staff.manage", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Posts, assessment items, assignments, rating periods and the staff rules"),
    Capability("staff.self", _grant(ALL_STAFF, K),
               description="One's own assessments, trainings, health certificate and action items"),
    Capability("staff.assessment.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT], K),
               description="Monthly assessments, deductions and bonus figures"),
    Capability("staff.assessment.change", {Role.DIRECTOR: K},
               description="Generate a month's score sheets, add and void deductions, confirm"),
    Capability("staff.assessment.export", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT], K),
               description="Export a month's bonus figures for payroll (.xlsx)"),
    Capability("staff.training.view", _grant(ALL_STAFF, K), description="Trainings, attendance and test scores"),
    Capability("staff.training.change", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER], K),
               description="Record trainings, attendance, scores and material"),
    Capability("staff.meeting.view", _grant(ALL_STAFF, K),
               description="Weekly logistics meetings, decisions and action items"),
    Capability("staff.meeting.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Record meetings and their action items"),
    Capability("staff.certificate.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
               sensitive=True, description="Staff health certificates (健康证) and their scans"),
    Capability("staff.certificate.change", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER], K), sensitive=True,
               description="Enter and void staff health certificates"),
    Capability("staff.rating.rate", {Role.PARENT: CH, Role.CLASS_TEACHER: C, Role.NURSERY: C},
               description="Rate the nursery staff (parents: of their child's class; teachers: of their class; "
                           "nursery peers: each other)"),
    Capability("staff.procedure.view",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C,
                Role.NURSERY: C},
               description="The nursery staff's daily procedure checklists"),
    Capability("staff.procedure.check", {Role.DIRECTOR: K, Role.NURSERY: C, Role.CLASS_TEACHER: C},
               description="Tick the daily procedure of one's class"),
    Capability("staff.nap.view",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C,
                Role.NURSERY: C},
               description="Nap-time rounds (午睡巡视) of the classes"),
    Capability("staff.nap.record", {Role.HEALTH_TEACHER: K, Role.NURSERY: C, Role.CLASS_TEACHER: C},
               description="Record a nap-time round of one's class"),
]
_HEALTH: list[Capability] = [  # houqin.health: checks, attendance, exams and growth, vaccination, disease, disinfection
    # Children's health data: the health teacher, the principal, the class's own staff and the child's
    # parents only; never the director, canteen, guard, storekeeper, accountant or supervisor.
    Capability(
        "health.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C, Role.NURSERY: C}, sensitive=True,
        description="Daily health overview: checks, attendance, absences and their follow-up",
    ),
    Capability(
        "health.check.record",
        {Role.HEALTH_TEACHER: K, Role.CLASS_TEACHER: C, Role.NURSERY: C}, sensitive=True,
        description="Morning and noon checks, attendance and the follow-up of illness absences",
    ),
    Capability(
        "health.child.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C, Role.PARENT: CH}, sensitive=True,
        description="A child's health record: exams, growth chart, checks, vaccination, disease cases",
    ),
    Capability(
        "health.exam.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C}, sensitive=True,
        description="Exams, growth assessment and weak-child cases",
    ),
    Capability("health.exam.record", {Role.HEALTH_TEACHER: K}, sensitive=True,
               description="Enter and import exams; weak-child cases"),
    Capability(
        "health.vaccination.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C}, sensitive=True,
        description="Vaccination certificate checks and catch-up doses",
    ),
    Capability("health.vaccination.record", {Role.HEALTH_TEACHER: K}, sensitive=True,
               description="Check certificates, record doses and catch-up, remind parents"),
    Capability(
        "health.disease.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C}, sensitive=True,
        description="Infectious disease cases, outbreak alerts and class closures",
    ),
    Capability("health.disease.manage", {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K}, sensitive=True,
               description="Record cases and return clearances, act on outbreak alerts, close and reopen classes"),
    Capability(
        "health.disinfection.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.DIRECTOR: K, Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Disinfection records and missing ones",
    ),
    Capability(
        "health.disinfection.record",
        {Role.HEALTH_TEACHER: K, Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Record disinfection of a class's areas",
    ),
    Capability(
        "health.summary.view", {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.DIRECTOR: K},
        description="Rates per class and kindergarten (attendance, exams, growth, vaccination): no child's data",
    ),
    Capability(
        "health.medication.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C, Role.NURSERY: C, Role.PARENT: CH},
        sensitive=True,
        description="Medicines entrusted by parents (家长委托喂药) and every administration (parents: their child's)",
    ),
    Capability("health.medication.request", {Role.PARENT: CH}, sensitive=True,
               description="Entrust a medicine to the class (parents, for their own child)"),
    Capability("health.medication.give", {Role.HEALTH_TEACHER: K, Role.CLASS_TEACHER: C, Role.NURSERY: C},
               sensitive=True,
               description="Receive an entrusted medicine (or refuse it with a reason) and record each administration"),
    Capability(
        "health.diet.view",
        {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K, Role.CLASS_TEACHER: C, Role.NURSERY: C, Role.PARENT: CH},
        sensitive=True,
        description="The allergy and special-diet register (过敏与特殊膳食登记): class staff their class, parents their child",
    ),
    Capability("health.diet.record", {Role.HEALTH_TEACHER: K}, sensitive=True,
               description="Enter a child's allergy or special diet, confirm a parent's request, void with a reason"),
    Capability("health.diet.request", {Role.PARENT: CH}, sensitive=True,
               description="Ask for an allergy or special diet of one's own child, with the doctor's proof"),
    # Disease reports sent to the district: the supervisor reads them (class, onset dates, symptoms, measures,
    # reporter; never a child's name) and acknowledges them.
    Capability("health.report.district", {Role.SUPERVISOR: D},
               description="Infectious disease reports sent by the district's kindergartens (no child's name)"),
    Capability("health.report.acknowledge", {Role.SUPERVISOR: D},
               description="Acknowledge an infectious disease report of a kindergarten of the district"),
    Capability("health.settings", {Role.HEALTH_TEACHER: K, Role.PRINCIPAL: K},
               description="Rule figures (with their sources) and the kindergarten's overrides; check devices"),
]
_CANTEEN: list[Capability] = [  # houqin.canteen: foods, dishes, menus, nutrition analysis, meal account
    Capability(
        "canteen.menu.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.CLASS_TEACHER, Role.NURSERY], K),
        description="Weekly menus (drafts too), dishes, foods, nutrition analysis and diet surveys",
    ),
    Capability(
        "canteen.menu.published", _grant(EVERYONE_IN_KINDERGARTEN, K),
        description="Published weekly menus (parents and all staff)",
    ),
    Capability(
        "canteen.menu.change", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Build weekly menus, dishes and the kindergarten's own foods; run diet surveys",
    ),
    Capability(
        "canteen.menu.publish", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Publish a weekly menu to parents and change a published menu (with a reason)",
    ),
    Capability(
        "canteen.settings.change", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Meal pattern, portions, meal fee, stock item foods and the kindergarten's own rule figures",
    ),
    Capability(
        "canteen.allergy.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Menu warnings naming a child and the allergen in a dish (the kitchen and menu writers: every "
                    "child; class staff: their class)",
    ),
    Capability(
        "canteen.substitute.change", _grant([Role.HEALTH_TEACHER], K),
        description="Choose, for a dish of a menu and an allergen or diet, the dish children who must avoid it get instead",
    ),
    Capability(
        "canteen.committee.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Meal committee meetings and their decisions",
    ),
    Capability(
        "canteen.committee.change", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Record meal committee meetings",
    ),
    Capability(
        "canteen.account.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT], K),
        description="The children's meal account, drafts too",
    ),
    Capability(
        "canteen.account.published", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.PARENT], K),
        description="Published monthly meal accounts (parents)",
    ),
    Capability(
        "canteen.account.change", _grant([Role.ACCOUNTANT], K),
        description="Prepare and publish the monthly meal account",
    ),
    Capability(
        "canteen.purchase.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.ACCOUNTANT], K),
        description="Purchase plans of the published menus (what to buy, from whom, when, at what cost per child-day) "
                    "and the month's running meal balance",
    ),
    Capability(
        "canteen.purchase.change", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Make (or make again) the purchase plan of a published menu",
    ),
]
_FOODSAFETY: list[Capability] = [  # houqin.foodsafety: certificates, receiving, samples, expiry checks, hygiene
    Capability(
        "foodsafety.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER], K),
        description="Food-safety registers: certificates, receiving, samples, expiry checks, hygiene, rule figures",
    ),
    Capability(
        "foodsafety.oversee", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Food-safety to-dos: missing samples and logs, expiring certificates, checks due",
    ),
    Capability(
        "foodsafety.certificate.change", _grant([Role.DIRECTOR, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Record supplier licences and inspection reports (索证索票) with their scans",
    ),
    Capability(
        "foodsafety.receiving.record", _grant([Role.DIRECTOR, Role.STOREKEEPER, Role.CANTEEN], K),
        description="Inspect deliveries (验收) and receive accepted food into the food store or the kitchen",
    ),
    Capability(
        "foodsafety.receiving.override", {Role.DIRECTOR: K},
        description="Accept goods despite an expired supplier certificate, with a reason (when the kindergarten allows)",
    ),
    Capability(
        "foodsafety.sample.record", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Keep and discard food samples (留样)",
    ),
    Capability(
        "foodsafety.expiry.check", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER], K),
        description="Half-monthly expiry check of the food store",
    ),
    Capability(
        "foodsafety.expiry.dispose", _grant([Role.DIRECTOR, Role.STOREKEEPER], K),
        description="Dispose of expired food found in a check, with reason and witness",
    ),
    Capability(
        "foodsafety.hygiene.inspect", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Weekly kitchen hygiene inspection",
    ),
    Capability(
        "foodsafety.hygiene.template", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Edit the kitchen hygiene checklist",
    ),
    Capability(
        "foodsafety.tableware.record", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Tableware disinfection log, per meal",
    ),
    Capability(
        "foodsafety.production.record", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Production, serving and waste of each dish (生产记录)",
    ),
    Capability(
        "foodsafety.duty.record", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="The kitchen's food-safety duties: daily check, weekly review, monthly scheduling meeting",
    ),
    Capability(
        "foodsafety.duty.officer", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="The food-safety officer's to-dos: the daily check and the weekly review not yet recorded",
    ),
    Capability(
        "foodsafety.duty.chair", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="The monthly food-safety scheduling meeting not yet held (to-do of who chairs it)",
    ),
    Capability(
        "foodsafety.pest.record", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Pest-control log (病媒生物防制): checks and treatments, signs found and the action",
    ),
    Capability(
        "foodsafety.water.record", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN], K),
        description="Drinking water: filter changes and water tests with their reports",
    ),
    Capability(
        "foodsafety.water.units", _grant([Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="The register of water dispensers and direct drinking-water units",
    ),
    Capability(
        "foodsafety.accompany.record", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="A leader's meal with the children (园长陪餐), with remarks",
    ),
    Capability(
        "foodsafety.rules.change", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
        description="Override the food-safety rule figures and settings (with their source)",
    ),
    Capability(
        "foodsafety.void", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Void a food-safety record entered by mistake (only after its retention date)",
    ),
]
_SAFETY: list[Capability] = [  # houqin.safety: zones, inspections, hazards, fire equipment, drills, the gate
    Capability(
        "safety.view",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.CLASS_TEACHER,
                Role.NURSERY, Role.GUARD], K),
        description="The safety book: zones, hazards, inspections, fire equipment, drills, duty roster",
    ),
    Capability("safety.hazard.report", _grant(ALL_STAFF, K),
               description="Report a hazard (the safety and repair book, a zone's QR code)"),
    Capability("safety.hazard.assign", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Assign hazards with a deadline, turn them into repair requests, void them"),
    Capability(
        "safety.hazard.rectify",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.CLASS_TEACHER,
                Role.NURSERY, Role.GUARD], K),
        description="Record the rectification of a hazard assigned to oneself",
    ),
    Capability("safety.hazard.verify", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.GUARD], K),
               description="Re-check a rectified hazard (never one's own rectification): close or reopen it"),
    Capability("safety.zone.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Zones, responsibility agreements, the leadership group, inspection templates"),
    Capability("safety.agreement.sign", _grant(ALL_STAFF, K),
               description="Sign one's own safety responsibility agreement"),
    Capability(
        "safety.selfcheck",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.GUARD], K),
         Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="The daily self-check of one's own zone",
    ),
    Capability(
        "safety.inspection.record",
        _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.GUARD], K),
        description="Record an inspection round",
    ),
    Capability("safety.fire.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="The fire equipment register"),
    Capability("safety.fire.check", _grant([Role.DIRECTOR, Role.GUARD], K),
               description="Monthly self-check round of the fire equipment"),
    Capability("safety.drill.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Plan and record drills"),
    Capability("safety.gate.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.GUARD], K),
               description="Visitors (ID numbers masked) and who is inside now"),
    Capability("safety.visitor.record", _grant([Role.DIRECTOR, Role.GUARD], K),
               description="Register visitors in and out"),
    Capability("safety.visitor.view_id", {Role.PRINCIPAL: K}, sensitive=True,
               description="A visitor's full identity card number"),
    Capability(
        "safety.pickup.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.GUARD], K), Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Pick-up: authorised people, delegations, releases and refused attempts (the gate's tables: "
                    "never parents, who see only their own delegations)",
    ),
    Capability("safety.pickup.request", {Role.CLASS_TEACHER: C, Role.PARENT: CH},
               description="Ask for a one-off pick-up delegate (parent) or record the parent's request (teacher); "
                           "the delegations of one's own children (parents) or class"),
    Capability("safety.pickup.confirm", {Role.PRINCIPAL: K, Role.DIRECTOR: K, Role.CLASS_TEACHER: C},
               description="Confirm a delegation by phone with the parent"),
    Capability("safety.pickup.release", {Role.GUARD: K, Role.CLASS_TEACHER: C, Role.NURSERY: C},
               description="Release a child to an authorised person (a refusal is logged)"),
    Capability("safety.custody.view", {Role.PRINCIPAL: K, Role.CLASS_TEACHER: C}, sensitive=True,
               description="Custody restrictions (不得接走) in full: the barred person, the document, the reason, the "
                           "identity card number; the refusals at the gate (the guard sees only the photo and 不得接走)"),
    Capability("safety.custody.file", {Role.PRINCIPAL: K, Role.PARENT: CH}, sensitive=True,
               description="File a custody restriction with its document (parents: for their own child)"),
    Capability("safety.custody.decide", {Role.PRINCIPAL: K}, sensitive=True,
               description="Confirm a custody restriction, or void it with a reason"),
    Capability("safety.duty.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Duty roster: assign and swap shifts"),
    Capability("safety.incident.view", _grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K),
               description="Incident reports"),
    Capability("safety.incident.report", _grant(ALL_STAFF, K), description="Report an incident"),
    Capability("safety.report.view", {Role.PRINCIPAL: K, Role.DIRECTOR: K, Role.SUPERVISOR: D},
               description="Weekly and monthly safety reports (supervisors: the district's signed reports)"),
    Capability("safety.report.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Draw up weekly and monthly safety reports"),
    Capability("safety.report.sign", {Role.PRINCIPAL: K}, description="Sign a safety report (freezes its figures)"),
    Capability("safety.settings", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="The kindergarten's safety rules (drills a term, intervals, deadlines)"),
    # injuries told to parents (意外伤害登记): safety/injuries.py
    Capability("safety.injury.view",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C,
                Role.NURSERY: C, Role.PARENT: CH},
               description="Injuries of children at the kindergarten (class staff: their classes; parents: their "
                           "own children's, with their acknowledgment)"),
    Capability("safety.injury.record",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C,
                Role.NURSERY: C},
               description="Record a child's injury (the parents are told the same day)"),
    Capability("safety.injury.acknowledge", {Role.PARENT: CH},
               description="A guardian acknowledges (or disputes, in words) an injury of their child"),
    Capability("safety.injury.district", {Role.PRINCIPAL: K},
               description="Mark a serious injury reported to the district"),
    # staggered arrival and dismissal (错峰入园/离园): safety/dismissal.py
    Capability("safety.slot.view", _grant(ALL_STAFF, K),
               description="Staggered arrival and dismissal slots by gate, with the day's posts (the gate screen)"),
    Capability("safety.slot.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Set, change and withdraw the staggered slots (the parents are told in a notice)"),
    # safety education (安全教育): safety/education.py
    Capability("safety.education.view",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C,
                Role.NURSERY: C},
               description="Safety education: the term's plan and what was held (class staff: their classes)"),
    Capability("safety.education.record",
               {**_grant([Role.PRINCIPAL, Role.DIRECTOR], K), Role.CLASS_TEACHER: C},
               description="Plan and record safety education (class teachers: the lessons of their classes)"),
    # the rule book (制度与应急预案): safety/rulebook.py
    Capability("safety.rulebook.view", _grant(ALL_STAFF, K),
               description="The rule book: rules and contingency plans, their versions, approvers and review dates"),
    Capability("safety.rulebook.change", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Add rules and plans, new versions with their approver and review date; void a plan"),
    Capability("safety.rulebook.acknowledge", _grant(ALL_STAFF, K),
               description="Acknowledge having read the current version of a rule or plan"),
    Capability("safety.rulebook.receipts", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="Who has read a version of a rule or plan, and who has not"),
]
_NOTICES: list[Capability] = [  # houqin.notices: notices to parents and staff with read receipts
    Capability(
        "notices.view", _grant(EVERYONE_IN_KINDERGARTEN, K),
        description="Published notices addressed to one (parents: to all parents, their child's class or their child)",
    ),
    Capability(
        "notices.view_addressed",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C, Role.NURSERY: C},
        description="Staff: notices to the parents of particular classes or children (class staff: their classes); "
                    "notices carrying health data follow the health capability of their kind",
    ),
    Capability(
        "notices.publish",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C},
        description="Write and publish notices (class teachers: to the parents of their own classes)",
    ),
    Capability(
        "notices.receipts.view",
        {**_grant([Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER], K), Role.CLASS_TEACHER: C},
        description="Who has read a notice and who has not",
    ),
    Capability("notices.void", _grant([Role.PRINCIPAL, Role.DIRECTOR], K), description="Withdraw a notice with a reason"),
    Capability("notices.messages", _grant(EVERYONE_IN_KINDERGARTEN, K),
               description="One's own messages (alerts, reminders, notices) and the channels and quiet hours to get them by"),
    Capability("notices.outbox.view", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
               description="The outbox (each message's delivery per channel: queued, sent, failed, read) and the "
                           "worker's scheduled job runs"),
]
_REPORTS: list[Capability] = [  # houqin.reports: the semester summary, the district comparison
    Capability(
        "reports.summary.view", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Terms and the semester logistics summary (后勤工作总结) with its versions and exports",
    ),
    Capability(
        "reports.summary.edit", _grant([Role.PRINCIPAL, Role.DIRECTOR], K),
        description="Define terms, draft the summary from the records, edit it and restore versions",
    ),
    Capability(
        "reports.family.view", {Role.PARENT: CH},
        description="Parents' corner: menus, meal account, fees, notices, pick-up, ratings for one's own child",
    ),
    Capability(
        "reports.district.compare", {Role.SUPERVISOR: D},
        description="Compare the district's kindergartens on the bureau's figures (aggregates only), .xlsx",
    ),
]

CAPABILITIES: dict[str, Capability] = {
    c.name: c
    for c in [*_CORE_AND_ORG, *_STOCK, *_ASSETS, *_FINANCE, *_STAFF, *_HEALTH, *_CANTEEN, *_FOODSAFETY, *_SAFETY,
              *_NOTICES, *_REPORTS]
}


# --------------------------------------------------------------------------------------------
# Actors


@dataclass
class Actor:
    """Who is acting, where: a user and their active memberships in one kindergarten (or, for a
    supervisor, one district)."""

    user: object
    memberships: list = field(default_factory=list)
    kindergarten: object = None
    district: object = None
    request: object = None  # set by `requires`: the audit log takes the address from it

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(m.role) for m in self.memberships)

    def grants(self, capability: str) -> list[tuple[object, Scope]]:
        cap = CAPABILITIES.get(capability)
        if cap is None:
            return []
        return [(m, cap.grants[Role(m.role)]) for m in self.memberships if Role(m.role) in cap.grants]

    def has(self, capability: str) -> bool:
        return bool(self.grants(capability))

    def widest_scope(self, capability: str) -> Scope | None:
        order = [K, Scope.CAMPUS, C, CH, D]
        scopes = [s for _, s in self.grants(capability)]
        return min(scopes, key=order.index) if scopes else None


def actor_for_kindergarten(user, kindergarten) -> Actor | None:
    """The actor for `user` in `kindergarten`, or None when they have no active membership there."""
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = list(user.memberships.filter(kindergarten=kindergarten, is_active=True))
    if not memberships:
        return None
    return Actor(user=user, memberships=memberships, kindergarten=kindergarten)


def actor_for_district(user, district) -> Actor | None:
    if not user.is_authenticated or not user.is_active:
        return None
    memberships = list(user.memberships.filter(district=district, role=Role.SUPERVISOR, is_active=True))
    if not memberships:
        return None
    return Actor(user=user, memberships=memberships, district=district)


# --------------------------------------------------------------------------------------------
# Object scope


def _membership_q(membership, scope: Scope, model) -> Q | None:
    paths = getattr(model, "scope_paths", {})
    if scope == K:
        if membership.campus_id is not None and "campus" in paths:
            return Q(kindergarten_id=membership.kindergarten_id, **{paths["campus"]: membership.campus_id})
        # Rows that belong to the whole kindergarten (items, suppliers, budgets, fee standards…)
        # are visible to campus staff too: the campus narrows only what belongs to a campus.
        return Q(kindergarten_id=membership.kindergarten_id)
    if scope == C:
        if "class" not in paths:
            return None
        through = type(membership).classes.through
        own = through.objects.filter(membership_id=membership.pk).values("schoolclass_id")
        return Q(kindergarten_id=membership.kindergarten_id, **{f"{paths['class']}__in": own})
    if scope == CH:
        if "child" not in paths:
            return None
        from houqin.org.models import Guardian

        own = Guardian.objects.filter(
            user_id=membership.user_id, kindergarten_id=membership.kindergarten_id, voided_at__isnull=True
        ).values("child_id")
        return Q(kindergarten_id=membership.kindergarten_id, **{f"{paths['child']}__in": own})
    return None  # DISTRICT grants aggregates, never rows


def scope_q(actor: Actor, capability: str, model) -> Q | None:
    """The filter that selects the rows of `model` the actor may use `capability` on; None if none."""
    result = None
    for membership, scope in actor.grants(capability):
        q = _membership_q(membership, scope, model)
        if q is not None:
            result = q if result is None else result | q
    return result


def scoped(actor: Actor, capability: str, queryset: QuerySet) -> QuerySet:
    q = scope_q(actor, capability, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def in_scope(actor: Actor, capability: str, model):
    """For annotate(): True on the rows of `model` that `scoped` keeps, False on the others (the same
    filter) — for a page that reads every row once and keeps the actor's part of them apart."""
    from django.db.models import BooleanField, Case, Value, When

    q = scope_q(actor, capability, model)
    if q is None:
        return Value(False, output_field=BooleanField())
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def can(actor: Actor, capability: str, obj) -> bool:
    """Whether the actor may use `capability` on `obj`. The same filter as `scoped`, so a list and
    an object check can never disagree."""
    q = scope_q(actor, capability, type(obj))
    if q is None:
        return False
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


# --------------------------------------------------------------------------------------------
# Declaring the policy of a view or an API endpoint


def requires(capability: str):
    """Declare the capability a view or API endpoint needs, and enforce it.

    With a `kg` URL argument the actor is resolved in that kindergarten (404 without a membership
    there), with a `district` argument in that district; 403 when the actor lacks the capability.
    Sets `request.actor`.
    """
    if capability not in CAPABILITIES and capability not in (PUBLIC, AUTHENTICATED, SUPERUSER):
        raise ValueError(f"Unknown capability {capability!r}: add it to houqin.policy.CAPABILITIES")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if capability != PUBLIC:
                user = request.user
                if not user.is_authenticated:
                    if _is_api(request):
                        raise PermissionDenied  # ninja's auth answers 401 before this point
                    return redirect_to_login(request)
                actor = _resolve_actor(request, kwargs)
                request.actor = actor
                if capability == SUPERUSER and not user.is_superuser:
                    raise PermissionDenied
                actor.request = request
                if capability not in (AUTHENTICATED, SUPERUSER) and not actor.has(capability):
                    audit_use(actor, capability, DENIED, reason="role")
                    raise PermissionDenied
                if is_sensitive(capability):
                    return _audited_view(view, request, actor, capability, args, kwargs)
            return view(request, *args, **kwargs)

        wrapper.houqin_capability = capability
        return wrapper

    return decorator


def declared_capability(view) -> str | None:
    return getattr(view, "houqin_capability", None)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as django_redirect

    return django_redirect(request.get_full_path())


def _resolve_actor(request, kwargs) -> Actor:
    from houqin.org.models import District, Kindergarten

    user = request.user
    if "kg" in kwargs:
        kindergarten = Kindergarten.objects.filter(slug=kwargs["kg"], is_active=True).first()
        actor = actor_for_kindergarten(user, kindergarten) if kindergarten else None
        token = getattr(request, "api_token", None)
        if token is not None and kindergarten is not None and token.kindergarten_id != kindergarten.pk:
            actor = None  # a token acts only in its own kindergarten
        if actor is None:
            raise Http404
        return actor
    if "district" in kwargs:
        district = District.objects.filter(slug=kwargs["district"]).first()
        actor = actor_for_district(user, district) if district else None
        if actor is None or getattr(request, "api_token", None) is not None:
            raise Http404
        return actor
    return Actor(user=user, memberships=[])


# --------------------------------------------------------------------------------------------
# Objects: the one way to fetch and check an object, and the audit of sensitive capabilities


class OutOfScope(Http404):
    """The object is missing, of another kindergarten or outside the actor's scope: all look the same (404)."""


SUCCESS, DENIED = "success", "denied"


def is_sensitive(capability: str) -> bool:
    cap = CAPABILITIES.get(capability)
    return bool(cap and cap.sensitive)


def audit_use(actor, capability: str, outcome: str = SUCCESS, *, obj=None, model=None, code="", reason: str = "",
              detail: dict | None = None) -> None:
    """Write the use (or the attempt) of a sensitive capability to the audit log, with the object's type
    and code. Nothing for other capabilities. Each (capability, object) is written once per request."""
    if not is_sensitive(capability):
        return
    from houqin.core.audit import audit_event

    object_type = obj._meta.label if obj is not None else (model._meta.label if model is not None else "")
    object_code = str(getattr(obj, "code", obj.pk)) if obj is not None else str(code or "")[:64]
    request = getattr(actor, "request", None)
    done = actor.__dict__.setdefault("audited", set())
    key = (capability, outcome, object_type, object_code)
    if key in done and request is not None:
        return
    done.add(key)
    extra = dict(detail or {})
    if reason:
        extra["reason"] = reason
    if request is not None:
        extra.setdefault("path", request.path[:200])
    audit_event(action=capability, actor=actor.user, kindergarten=actor.kindergarten or None, outcome=outcome,
                object_type=object_type, object_code=object_code, request=request, detail=extra)


def _audited_view(view, request, actor, capability, args, kwargs):
    """A view of a sensitive capability: every use is audited — a 404 (missing or out of scope) as
    an attempt, a success with the object the view named (request.audit_object) when the objects it
    fetched were not already audited by get_or_404 / require."""
    try:
        response = view(request, *args, **kwargs)
    except Http404:
        if not any(k[0] == capability for k in actor.__dict__.get("audited", ())):
            code = next((str(v) for k, v in kwargs.items() if k not in ("kg", "district")), "")
            audit_use(actor, capability, DENIED, code=code, reason="not_found")
        raise
    status = getattr(response, "status_code", 200)
    if status < 400 and not any(k[0] == capability for k in actor.__dict__.get("audited", ())):
        audit_use(actor, capability, SUCCESS, obj=getattr(request, "audit_object", None))
    return response


def _model_and_queryset(queryset_or_model):
    if isinstance(queryset_or_model, QuerySet):
        return queryset_or_model.model, queryset_or_model
    return queryset_or_model, queryset_or_model._default_manager.all()


def get_or_404(actor: Actor, capability: str | None, queryset_or_model, **lookup):
    """The one object `lookup` names among those the actor may use `capability` on; 404 otherwise —
    the same answer for missing, another kindergarten's and out of scope. A role without the
    capability finds nothing either (404): use `require` first where that must be a 403.
    Sensitive capabilities are audited (the read, or the attempt with the code asked for).
    `capability=None` only for a queryset the caller has already built from `scoped` querysets
    (an either-or of two capabilities)."""
    model, queryset = _model_and_queryset(queryset_or_model)
    try:
        if capability is not None:
            queryset = scoped(actor, capability, queryset)
        obj = queryset.filter(**lookup).first() if lookup and all(v not in (None, "") for v in lookup.values()) else None
    except (ValueError, TypeError, ValidationError):
        obj = None  # a malformed code is a missing object
    if obj is None:
        if capability is not None:
            code = lookup.get("code", lookup.get("pk", next(iter(lookup.values()), "")))
            audit_use(actor, capability, DENIED, model=model, code=code, reason="not_found")
        raise OutOfScope
    if capability is not None:
        audit_use(actor, capability, SUCCESS, obj=obj)
    return obj


def require(actor: Actor, capability: str, obj=None) -> None:
    """The object check of every service and view: 403 (Forbidden) when the actor's role lacks
    `capability`, 404 (OutOfScope) when `obj` is outside the actor's scope — never a 403 for an
    object the actor may not see. Sensitive capabilities are audited, attempts included."""
    from houqin.core.errors import Forbidden

    if not actor.has(capability):
        audit_use(actor, capability, DENIED, obj=obj, reason="role")
        raise Forbidden()
    if obj is not None:
        if getattr(obj, "kindergarten_id", None) != getattr(actor.kindergarten, "pk", None) or not can(
                actor, capability, obj):
            audit_use(actor, capability, DENIED, obj=obj, reason="out_of_scope")
            raise OutOfScope
        audit_use(actor, capability, SUCCESS, obj=obj)


def same_kindergarten(actor: Actor, *objects) -> None:
    """Objects a caller hands to a service (a campus, a class, a supplier, a line…) belong to the
    actor's kindergarten; another kindergarten's look missing (404). None (an optional field left
    empty) is skipped."""
    for obj in objects:
        if obj is not None and getattr(obj, "kindergarten_id", None) != getattr(actor.kindergarten, "pk", None):
            raise OutOfScope


def allowed(actor: Actor, capability: str, obj=None) -> bool:
    """Whether `require` would pass (for showing a button; the services decide)."""
    if not actor.has(capability):
        return False
    return obj is None or (getattr(obj, "kindergarten_id", None) == getattr(actor.kindergarten, "pk", None)
                           and can(actor, capability, obj))


def forbid_self_approval(actor: Actor, record, *people: str, message=None) -> None:
    """One rule for every sign-off: nobody approves, issues, rejects or signs off what they asked for
    themselves. `people` are the record's fields naming who asked (default: who recorded it)."""
    from django.utils.translation import gettext as _

    from houqin.core.errors import Forbidden

    for field_name in people or ("created_by_id",):
        if getattr(record, field_name, None) == actor.user.pk:
            raise Forbidden(message or _("You cannot approve your own request."))


__all__ = [
    "AUTHENTICATED",
    "CAPABILITIES",
    "PUBLIC",
    "SUPERUSER",
    "Actor",
    "Capability",
    "same_kindergarten",
    "Scope",
    "actor_for_district",
    "actor_for_kindergarten",
    "allowed",
    "audit_use",
    "can",
    "forbid_self_approval",
    "get_or_404",
    "require",
    "OutOfScope",
    "declared_capability",
    "requires",
    "scope_q",
    "scoped",
]
