"""The admin speaks Korean by default, English on request, and third-party pages too."""

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as translate

from .factories import make_department, make_user

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def catalog_path(language, suffix="po"):
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"django.{suffix}"


def read_po(path):
    """(msgid, [msgstr, ...], is_plural) for each live entry of a .po file, header included."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        # An entry starts at its msgctxt, or at its msgid when it has no context.
        if key == "msgctxt" or (key == "msgid" and (entry is None or "msgid" in entry)):
            entry = {}
            entries.append(entry)
        entry[key] = ast.literal_eval(value)
    return [
        (
            # gettext keys an entry with a context as "context\x04msgid"
            f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"],
            [text for name, text in e.items() if name.startswith("msgstr")],
            "msgid_plural" in e,
        )
        for e in entries
    ]


class AdminLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_user(None)

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_the_admin_index_is_korean_by_default(self):
        page = self.client.get(reverse("admin:index")).content.decode()
        self.assertIn('lang="ko"', page)
        self.assertIn("인력 현황", page)
        self.assertIn("공용차량 현황", page)
        self.assertIn("로그아웃", page)
        self.assertNotIn("Log out", page)

    def test_choosing_english_at_setlang_turns_the_admin_index_english(self):
        response = self.client.post(
            "/i18n/setlang/", {"language": "en", "next": reverse("admin:index")}
        )
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")

        page = self.client.get(reverse("admin:index")).content.decode()
        self.assertIn('lang="en"', page)
        self.assertIn("Staffing", page)
        self.assertIn("Official vehicle fleet", page)
        self.assertIn("Council Work Report Administration", page)
        self.assertIn("Log out", page)
        for korean in ("인력 현황", "공용차량 현황", "의회 업무보고 관리", "로그아웃"):
            self.assertNotIn(korean, page)

    def test_the_simple_history_page_is_korean(self):
        department = make_department("총무과")
        url = reverse("admin:departments_department_history", args=[department.pk])
        page = self.client.get(url).content.decode()
        for korean in ("변경 이력: 총무과", "변경자", "일시", "변경 사유", "변경 내용", "생성"):
            self.assertIn(korean, page)
        for english in ("Change history", "Changed by", "Date/time", "Change reason", "Created"):
            self.assertNotIn(english, page)

    def test_the_simple_history_page_is_english_with_the_english_cookie(self):
        department = make_department("총무과")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        url = reverse("admin:departments_department_history", args=[department.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("Changed by", page)
        self.assertNotIn("변경자", page)


class CatalogTests(TestCase):
    def test_every_msgid_has_an_english_translation(self):
        entries = read_po(catalog_path("en"))
        self.assertGreater(len(entries), 1)
        untranslated = [msgid for msgid, texts, _ in entries if msgid and not all(texts)]
        self.assertEqual(untranslated, [], "run makemessages, translate, then compilemessages")

    def test_every_english_msgid_has_a_korean_translation(self):
        entries = read_po(catalog_path("ko"))
        untranslated = [
            msgid
            for msgid, texts, _ in entries
            if msgid and not HANGUL.search(msgid) and not all(texts)
        ]
        self.assertEqual(untranslated, [], "translate these in locale/ko/LC_MESSAGES/django.po")

    def test_the_compiled_catalogs_match_the_po_files(self):
        for language in ("en", "ko"):
            with catalog_path(language, "mo").open("rb") as mo:
                compiled = gettext.GNUTranslations(mo)._catalog
            for msgid, texts, plural in read_po(catalog_path(language)):
                if not msgid or not all(texts):
                    continue
                keys = [(msgid, n) for n in range(len(texts))] if plural else [msgid]
                self.assertEqual([compiled.get(key) for key in keys], texts, msgid)


class KoreanMessageTests(TestCase):
    """Django's Korean admin catalog, where it reads wrongly, and Korean times."""

    # A particle right after a closing quote reads '"… 기준"가' whatever the name ends in.
    PARTICLE_AFTER_QUOTE = re.compile(r"[”\"](이|가|을|를|은|는|의|이/가|을/를)")

    def test_admin_messages_put_no_particle_after_a_quoted_name(self):
        messages = [
            "The {name} “{obj}” was added successfully.",
            "The {name} “{obj}” was changed successfully.",
            "The {name} “{obj}” was changed successfully. You may edit it again below.",
            "The %(name)s “%(obj)s” was deleted successfully.",
            "Added {name} “{object}”.",
            "Changed {fields} for {name} “{object}”.",
            "Deleted {name} “{object}”.",
            "%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?",
            'The %(name)s "%(obj)s" was changed successfully.',  # django-simple-history
        ]
        with translation.override("ko"):
            for message in messages:
                korean = translate(message)
                self.assertNotEqual(korean, message)
                self.assertIsNone(self.PARTICLE_AFTER_QUOTE.search(korean), korean)
            changed = translate("The {name} “{obj}” was changed successfully.")
            text = changed.format(name="예산 집행", obj="2025. 5. 31. 기준")
            self.assertEqual(text, "예산 집행 “2025. 5. 31. 기준” 항목을 고쳤습니다.")
            self.assertEqual(translate("Select %s to view") % "인력 현황", "볼 인력 현황 선택")
            self.assertEqual(translate("View %s") % "인력 현황", "인력 현황 보기")

    def test_korean_times_are_on_the_24_hour_clock(self):
        moment = timezone.make_aware(dt.datetime(2026, 12, 3, 0, 11))
        with translation.override("ko"):
            shown = formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        self.assertEqual(shown, "2026년 12월 3일 00:11")

    def test_quarter_choices_follow_the_readers_language(self):
        from programs.models import ProgressEntry

        field = ProgressEntry._meta.get_field("quarter")
        with translation.override("en"):
            self.assertEqual(dict(field.choices)[2], translate("%d분기") % 2)
            self.assertNotIn("분기", str(dict(field.choices)[2]))
