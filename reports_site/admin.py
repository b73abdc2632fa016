import functools

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from departments.access import departments_for
from departments.admin_base import DepartmentScopedAdmin, ScopedInline, TrackedAdmin
from departments.conflicts import with_conflict_check
from programs.models import Program

from . import blocks, editions, files, fonts, layouts, pdf, tasks, workflow
from .block_forms import BlockForm
from .downloads import safe_filename
from .models import (
    Block,
    Briefing,
    BriefingContact,
    BriefingSection,
    CouncilSession,
    HouseStyle,
    WorkerHeartbeat,
)
from .report import build_report


def may_publish(user):
    """Publishing and booklets are the clerk's job: those who may change sessions."""
    return user.has_perm("reports_site.change_councilsession")


def pdf_response(document, title):
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(title, "pdf"))
    return response


def stored_pdf(edition, title):
    """A published file as stored: served from storage, never rendered again."""
    return FileResponse(
        edition.pdf.open("rb"),
        as_attachment=True,
        filename=safe_filename(title, "pdf"),
        content_type="application/pdf",
    )


def refuses_with_a_message(to):
    """A full disk or a missing font answers the clerk with a message on the page `to`,
    not a server error; nothing half-written was kept (files.save_whole)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, pk, *args, **kwargs):
            try:
                return view(self, request, pk, *args, **kwargs)
            except (OSError, fonts.MissingFont) as error:
                if isinstance(error, fonts.MissingFont):
                    messages.error(request, str(error))
                elif files.disk_full(error):
                    messages.error(request, files.disk_full_message())
                else:
                    raise
                return redirect(to, pk=pk)

        return wrapper

    return decorator


@admin.register(CouncilSession)
class CouncilSessionAdmin(TrackedAdmin):
    list_display = ["__str__", "council", "starts_on", "ends_on"]
    list_filter = ["council", "kind"]
    date_hierarchy = "starts_on"
    search_fields = ["council", "number"]
    change_form_template = "admin/reports_site/councilsession/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/booklet/", view(self.booklet_view), name="reports_site_booklet"),
            path(
                "<int:pk>/booklet/<int:number>.pdf",
                view(self.booklet_pdf_view),
                name="reports_site_booklet_pdf",
            ),
            *super().get_urls(),
        ]

    def _session(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(CouncilSession, pk=pk)

    def booklet_view(self, request, pk):
        """The booklet of the session: make it (in the background), follow it, download it."""
        session = self._session(request, pk)
        if request.method == "POST":
            if not may_publish(request.user):
                raise PermissionDenied
            tasks.start_booklet(session, request.user)
            return redirect("admin:reports_site_booklet", pk=pk)
        job = session.jobs.first()
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(session)s 전체 책자") % {"session": session},
            "session": session,
            "opts": self.model._meta,
            "job": job,
            "editions": session.editions.booklets().latest_first(),
            "published": session.briefings.filter(status=Briefing.Status.PUBLISHED)
            .select_related("department")
            .order_by("department__order"),
            "may_publish": may_publish(request.user),
            "worker_seen": WorkerHeartbeat.objects.alive().exists(),
        }
        return TemplateResponse(request, "admin/reports_site/booklet.html", context)

    def booklet_pdf_view(self, request, pk, number):
        session = self._session(request, pk)
        edition = get_object_or_404(session.editions.booklets(), number=number)
        return stored_pdf(edition, f"{session} 업무보고 {number}판")


@admin.register(HouseStyle)
class HouseStyleAdmin(TrackedAdmin):
    list_display = ["council", "heading_numbering", "program_numbering", "zero", "negative"]
    search_fields = ["council"]


def own_choices(db_field, request, kwargs):
    """Briefings, sections and programs of the user's departments only: a block or section
    is never moved into another department's briefing, whatever the form posts."""
    mine = departments_for(request.user)
    scoped = {
        Briefing: lambda: Briefing.objects.filter(department__in=mine),
        BriefingSection: lambda: kwargs.get("queryset", BriefingSection.objects).filter(
            briefing__department__in=mine
        ),
        Program: lambda: Program.objects.filter(department__in=mine),
    }
    if db_field.related_model in scoped:
        kwargs["queryset"] = scoped[db_field.related_model]()
    return kwargs


class BriefingSectionInline(ScopedInline):
    """The briefing's outline; each section's blocks are edited on the section's page."""

    model = BriefingSection
    fields = ["order", "heading", "parent", "numbered", "slug"]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":  # a section of the same briefing
            briefing_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = BriefingSection.objects.filter(briefing_id=briefing_id or 0)
        kwargs = own_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BlockInline(ScopedInline):
    model = Block

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = own_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    form = BlockForm
    fields = ["order", "kind", "program", "title", "text", "image", "caption", "alt_text"]
    show_change_link = True  # the block's own page has its kind's options


@admin.register(BriefingSection)
class BriefingSectionAdmin(DepartmentScopedAdmin):
    department_path = "briefing__department"
    history_children = ("blocks",)
    list_display = ["heading", "briefing", "parent", "order"]
    list_select_related = ["briefing__session", "briefing__department", "parent"]
    list_filter = ["briefing__session"]
    search_fields = ["heading", "briefing__title"]
    fields = ["briefing", "order", "heading", "parent", "numbered", "slug"]
    autocomplete_fields = ["briefing"]
    inlines = [BlockInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            section_id = request.resolver_match.kwargs.get("object_id")
            briefing = BriefingSection.objects.filter(pk=section_id or 0).values("briefing_id")
            kwargs["queryset"] = BriefingSection.objects.filter(briefing_id__in=briefing)
        kwargs = own_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Block)
class BlockAdmin(DepartmentScopedAdmin):
    """One block with the options of its kind (reports_site.blocks)."""

    department_path = "section__briefing__department"
    form = BlockForm
    list_display = ["__str__", "kind", "section", "order"]
    list_select_related = ["section__briefing__department"]
    list_filter = ["kind"]
    autocomplete_fields = ["section"]
    search_fields = ["title", "text"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = with_conflict_check(BlockForm.for_kind(obj.kind if obj else None))
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = own_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        kind = blocks.KINDS.get(obj.kind) if obj else None
        option_names = list(kind.options.base_fields) if kind and kind.options else []
        content = list(kind.fields) if kind else ["title", "text", "image", "caption", "alt_text"]
        if kind and kind.name == "table":
            content += ["xlsx", "xlsx_range"]
        return ["section", "order", "kind", "program", *content, *option_names]


class BriefingContactInline(ScopedInline):
    model = BriefingContact


@admin.register(Briefing)
class BriefingAdmin(DepartmentScopedAdmin):
    history_children = ("sections", "contacts")
    list_display = ["session", "department", "title", "as_of", "status"]
    list_filter = ["status", "session", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["session", "department"]
    search_fields = ["title", "department__name", "session__council"]
    autocomplete_fields = ["department", "session"]
    inlines = [BriefingSectionInline, BriefingContactInline]
    change_form_template = "admin/reports_site/briefing/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="reports_site_briefing_pdf"),
            path("<int:pk>/act/", view(self.act_view), name="reports_site_briefing_act"),
            path("<int:pk>/publish/", view(self.publish_view), name="reports_site_publish"),
            path("<int:pk>/editions/", view(self.editions_view), name="reports_site_editions"),
            path(
                "<int:pk>/editions/<int:number>.pdf",
                view(self.edition_pdf_view),
                name="reports_site_edition_pdf",
            ),
            *super().get_urls(),
        ]

    # The status moves only through the workflow's actions (reports_site.workflow): it is
    # shown, never edited, and a save from any form (a change, a revert from the history)
    # keeps it as stored.
    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "status"]

    def save_model(self, request, obj, form, change):
        stored = Briefing.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        obj.status = stored or Briefing.Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # the layout is set up once: a new briefing starts as the last one
            previous = layouts.copy_previous(form.instance)
            if previous:
                messages.info(
                    request, _("%(briefing)s의 구성을 이어받았습니다.") % {"briefing": previous}
                )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        briefing = self.get_object(request, object_id) if object_id else None
        actions = workflow.allowed_actions(request.user, briefing) if briefing else []
        context = {"workflow_actions": actions} | (extra_context or {})
        return super().change_view(request, object_id, form_url, context)

    def act_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        briefing = self.get_object(request, str(pk))
        action, comment = request.POST.get("action"), request.POST.get("comment", "")
        try:
            workflow.perform(request.user, briefing, action, comment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(briefing)s: %(status)s")
                % {"briefing": briefing, "status": briefing.get_status_display()},
            )
        return redirect("admin:reports_site_briefing_change", pk)

    @refuses_with_a_message("admin:reports_site_briefing_change")
    def pdf_view(self, request, pk):
        """The briefing as it stands now (a draft preview until it is published)."""
        briefing = self.get_object(request, str(pk))
        document, _pages = pdf.briefing_pdf(build_report(briefing))
        return pdf_response(document, f"{briefing.department} {briefing.title}")

    @refuses_with_a_message("admin:reports_site_editions")
    def publish_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        briefing = self.get_object(request, str(pk))
        latest = editions.latest_edition(briefing)
        confirmed = request.POST.get("confirm_unapproved") == "yes"
        try:
            edition = workflow.publish(request.user, briefing, confirmed)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:reports_site_editions", pk=pk)
        if edition == latest:
            messages.info(
                request,
                _("바뀐 내용이 없어 %(number)d판을 그대로 둡니다.") % {"number": edition.number},
            )
        else:
            messages.success(
                request, _("%(number)d판을 발행했습니다.") % {"number": edition.number}
            )
        return redirect("admin:reports_site_editions", pk=pk)

    def editions_view(self, request, pk):
        """Every edition, downloadable, and what changed between two of them."""
        briefing = self.get_object(request, str(pk))
        all_editions = list(briefing.editions.latest_first())
        by_number = {e.number: e for e in all_editions}
        older = by_number.get(_int(request.GET.get("from")))
        newer = by_number.get(_int(request.GET.get("to")))
        if older is None and newer is None and len(all_editions) > 1:
            newer, older = all_editions[0], all_editions[1]
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(briefing)s 발행본") % {"briefing": briefing},
            "opts": self.model._meta,
            "original": briefing,
            "editions": all_editions,
            "older": older,
            "newer": newer,
            "changes": editions.changes(older.data, newer.data) if older and newer else None,
            "may_publish": workflow.may(request.user, workflow.PUBLISH, briefing),
            "unapproved": workflow.quarter_labels(workflow.unapproved_quarters(briefing)),
            "refuse_unapproved": settings.PUBLISH_UNAPPROVED == "refuse",
            "change_url": reverse("admin:reports_site_briefing_change", args=[pk]),
        }
        return TemplateResponse(request, "admin/reports_site/editions.html", context)

    def edition_pdf_view(self, request, pk, number):
        briefing = self.get_object(request, str(pk))
        edition = get_object_or_404(briefing.editions, number=number)
        return stored_pdf(edition, f"{briefing.department} {briefing.title} {number}판")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
