"""Messages of third-party apps that ship no Korean catalog, listed for makemessages.

Nothing imports this module. It exists only so that ``manage.py makemessages`` copies
these msgids into the project's catalogs (locale/<lang>/LC_MESSAGES/django.po), where
they get their Korean translation. Each string is spelled exactly as the app spells it;
when upgrading an app, check its templates and Python sources for new or changed
msgids.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django-simple-history: simple_history/admin.py
gettext_noop("View history: %s")
gettext_noop("Change history: %s")
gettext_noop('The %(name)s "%(obj)s" was changed successfully.')
gettext_noop("You may edit it again below")
gettext_noop("View %s")
gettext_noop("Revert %s")

# django-simple-history: simple_history/models.py (history_type choices, deleted rows)
gettext_noop("Created")
gettext_noop("Changed")
gettext_noop("Deleted")
gettext_noop("Deleted %(type_name)s")

# django-simple-history: simple_history/templates/simple_history/*.html
gettext_noop("Choose a date from the list below to revert to a previous version of this object.")
gettext_noop("This object doesn't have a change history.")
gettext_noop("Home")
gettext_noop("History")
gettext_noop("View %(verbose_name)s")
gettext_noop("Revert %(verbose_name)s")
gettext_noop("View on site")
gettext_noop("Press the 'Revert' button below to revert to this version of the object.")
gettext_noop("Press the 'Change History' button below to edit the history.")
gettext_noop("Object")
gettext_noop("Date/time")
gettext_noop("Comment")
gettext_noop("Changed by")
gettext_noop("Change reason")
gettext_noop("Changes")
gettext_noop("None")
gettext_noop("Revert")
gettext_noop("Change History")
gettext_noop("Close")
# object_history_list.html counts rows with a plural blocktranslate ("entry"/"entries").
# gettext_noop has no plural form; an unevaluated lazy ngettext is extracted the same way.
ngettext_lazy("entry", "entries", 1)

# django-import-export: its Korean catalog leaves "Row" untranslated and renders the
# export-fields note as an import message ("다음의 필드를 가져옵니다"); the project's
# catalog (LOCALE_PATHS) takes precedence over the app's.
# import_export/templates/admin/import_export/import.html
gettext_noop("Row")
# import_export/templates/admin/import_export/export.html, resource_fields_list.html
# (the trailing space is part of the msgid)
gettext_noop("This exporter will export the following fields: ")

# Django's admin: its Korean catalog puts a particle right after a closing quote
# ('… 기준"가 성공적으로 변경되었습니다'), writes "보기위한 1%s 를(을) 선택" and "뷰 %s".
# django/contrib/admin/options.py, views/main.py, models.py
gettext_noop("Select %s to view")
gettext_noop("The {name} “{obj}” was added successfully.")
gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below.")
gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below.")
gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below.")
gettext_noop("The {name} “{obj}” was changed successfully.")
gettext_noop("The %(name)s “%(obj)s” was deleted successfully.")
gettext_noop("You may edit it again below.")
gettext_noop("Added {name} “{object}”.")
gettext_noop("Changed {fields} for {name} “{object}”.")
gettext_noop("Deleted {name} “{object}”.")
gettext_noop("Changed {fields}.")
gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
gettext_noop("Successfully deleted %(count)d %(items)s.")
