"""Who may read what on the report pages.

- A published briefing: everyone (with ``REPORTS_REQUIRE_LOGIN``, everyone signed in).
- A briefing not yet published: the department's own staff and reviewers and the clerks
  (``departments.access.departments_for``, the one scoping rule).
- A quarter's live figures (period pages, program history, search): signed-in readers, for
  quarters whose review is approved or closed, and what a published briefing already
  showed; the department's own people and the clerks see every quarter. Visitors who are
  not signed in see published briefings only (search leads them to those).
"""

from collections import defaultdict
from functools import cached_property, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from departments.access import departments_for, sees_all_departments
from departments.models import ReportingPeriod
from reports_site.models import Briefing
from reports_site.report import quarter_of

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
    """The visitor of a report page and what they may see (one per request)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def sees_all(self):
        return sees_all_departments(self.user)

    @cached_property
    def own(self):
        """The departments whose drafts the reader sees (a QuerySet, used as a subquery)."""
        return departments_for(self.user)

    def may_read(self, briefing):
        """One briefing: published, or a draft of the reader's own department."""
        if briefing.status == PUBLISHED:
            return True
        return self.sees_all or self.own.filter(pk=briefing.department_id).exists()

    def briefings(self):
        if self.sees_all:
            return Briefing.objects.all()
        if not self.user.is_authenticated:
            return Briefing.objects.filter(status=PUBLISHED)
        return Briefing.objects.filter(Q(status=PUBLISHED) | Q(department__in=self.own))

    @cached_property
    def published(self):
        """{(department id, year): the last quarter a published briefing showed} (one query)."""
        shown = {}
        for department, day in Briefing.objects.filter(status=PUBLISHED).values_list(
            "department_id", "as_of"
        ):
            key = (department, day.year)
            shown[key] = max(shown.get(key, 0), quarter_of(day))
        return shown

    def figures(self, department, year, quarter=None, published_from=None):
        """A filter for rows of quarters the reader may see.

        department, year, quarter: the rows' paths to their department, year and quarter
        (quarter None: a row of the whole year, seen once any quarter of it is).
        published_from: how a published briefing covers the row: "earlier" (a briefing of
        the row's year or later includes it) or the default, the briefing's year up to its
        as-of quarter.
        """
        if self.sees_all:
            return Q()
        shown = self._published_rows(department, year, quarter, published_from)
        if not self.user.is_authenticated:
            return shown
        locked = ReportingPeriod.objects.filter(
            department=OuterRef(department), year=OuterRef(year), status__in=ReportingPeriod.LOCKED
        )
        if quarter:
            locked = locked.filter(quarter=OuterRef(quarter))
        return shown | Q(Exists(locked)) | Q(**{f"{department}__in": self.own})

    def _published_rows(self, department, year, quarter, published_from):
        """The rows published briefings showed, as a few plain conditions (no subquery):
        departments grouped by the year (and quarter) they were shown up to."""
        groups = defaultdict(set)
        if published_from == "earlier":
            latest = {}
            for department_id, shown_year in self.published:
                latest[department_id] = max(latest.get(department_id, shown_year), shown_year)
            for department_id, shown_year in latest.items():
                groups[shown_year].add(department_id)
            return _any(
                Q(**{f"{department}__in": sorted(ids), f"{year}__lte": shown_year})
                for shown_year, ids in groups.items()
            )
        for (department_id, shown_year), shown_quarter in self.published.items():
            groups[shown_year, shown_quarter if quarter else None].add(department_id)
        return _any(
            Q(**{f"{department}__in": sorted(ids), year: shown_year})
            & (Q(**{f"{quarter}__lte": shown_quarter}) if shown_quarter else Q())
            for (shown_year, shown_quarter), ids in groups.items()
        )


def _any(conditions):
    """Any of the conditions; none at all matches nothing."""
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result
