"""Who may read what on the report pages.

- A published briefing: everyone (with ``REPORTS_REQUIRE_LOGIN``, everyone signed in), as
  its edition froze it. One marked published without an edition has nothing frozen to
  show: it is read like a draft.
- A briefing not yet published: the department's own staff and reviewers and the clerks
  (``departments.access.departments_for``, the one scoping rule).
- A quarter's live figures (period pages, program history, search, and last year's figures
  and the plan beside a report): quarters whose review is approved or closed; the
  department's own people and the clerks see every quarter. Period pages and program
  histories need a login; visitors who are not signed in reach live figures only beside a
  published briefing (search leads them to those). A published briefing shows its edition,
  never the live figures of its quarters.
"""

from functools import cached_property, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from departments.access import departments_for, sees_all_departments
from departments.models import ReportingPeriod
from reports_site.models import Briefing, Edition

PUBLISHED = Briefing.Status.PUBLISHED


def login_url():
    return reverse("council:login")


def reports_view(view):
    """Every report page: behind a login when the council asks for it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.REPORTS_REQUIRE_LOGIN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url())
        return view(request, *args, **kwargs)

    return wrapper


def signed_in_view(view):
    """Pages of live figures: always behind a login (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url())
        return view(request, *args, **kwargs)

    return wrapper


class Reader:
    """The visitor of a report page and what they may see (one per request: `of`)."""

    def __init__(self, user):
        self.user = user

    @classmethod
    def of(cls, request):
        """The request's reader, made once, so its look-ups run once per page."""
        if not hasattr(request, "_reader"):
            request._reader = cls(request.user)
        return request._reader

    @cached_property
    def sees_all(self):
        return sees_all_departments(self.user)

    @cached_property
    def own(self):
        """The departments whose drafts the reader sees (a QuerySet, used as a subquery)."""
        return departments_for(self.user)

    @cached_property
    def own_ids(self):
        return set(self.own.values_list("pk", flat=True))

    def scope(self, department):
        """Which live figures of the department the reader sees: "all", "own" or "approved"
        (for keys of what readers of the same scope may share)."""
        if self.sees_all:
            return "all"
        return "own" if department.pk in self.own_ids else "approved"

    def may_read(self, briefing, edition):
        """One briefing: published with its edition (found by the caller), or a draft of
        the reader's own department."""
        if briefing.status == PUBLISHED and edition:
            return True
        return self.sees_all or briefing.department_id in self.own_ids

    def briefings(self):
        if self.sees_all:
            return Briefing.objects.all()
        if not self.user.is_authenticated:
            return Briefing.objects.filter(shown_condition())
        return Briefing.objects.filter(shown_condition() | Q(department__in=self.own))

    def figures(self, department, year, quarter=None):
        """A filter for live rows of quarters the reader may see: approved or closed ones
        (their rows are locked, so what the reader sees is what a reviewer approved), the
        reader's own departments', or everything for the clerks.

        department, year, quarter: the rows' paths to their department, year and quarter
        (quarter None: a row of the whole year, seen once any quarter of it is locked —
        it is locked as well then).

        A published briefing does not open its quarters' live rows: the figures may have
        changed since; readers read what it showed in its edition.
        """
        if self.sees_all:
            return Q()
        locked = ReportingPeriod.objects.filter(
            department=OuterRef(department), year=OuterRef(year), status__in=ReportingPeriod.LOCKED
        )
        own = Q(**{f"{department}__in": self.own})
        if not quarter:
            return Q(Exists(locked)) | own
        # A row without a quarter (a council request of the whole year): any quarter.
        of_year = Q(**{f"{quarter}__isnull": True}) & Q(Exists(locked))
        return Q(Exists(locked.filter(quarter=OuterRef(quarter)))) | of_year | own


def shown_condition():
    """Briefings everyone reads: published, with an edition that froze what they show."""
    editions = Edition.objects.filter(briefing=OuterRef("pk"))
    return Q(status=PUBLISHED) & Q(Exists(editions))
