"""The admin form of a block: its kind, its content and, on the block's own page, the
options of its kind (from `reports_site.blocks`), kept together in `Block.options`."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.imports import check_size, check_xlsx
from programs.outline import validate_outline

from . import blocks
from .models import Block
from .xlsx_range import read_range

OUTLINED = ("note", "text")  # kinds whose text is an outline (□, ○, - …)


class BlockForm(forms.ModelForm):
    kind = forms.ChoiceField(label=gettext_lazy("종류"), choices=blocks.choices)
    option_names: tuple = ()

    class Meta:
        model = Block
        fields = [
            "section",
            "order",
            "kind",
            "program",
            "title",
            "text",
            "image",
            "caption",
            "alt_text",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 60})}

    @classmethod
    def for_kind(cls, name):
        """The form with the options of the kind `name` as fields of their own."""
        kind = blocks.KINDS.get(name)
        declared = {}
        if kind and kind.options:
            declared = {key: copy.deepcopy(f) for key, f in kind.options.base_fields.items()}
        if name == "table":
            declared |= {
                "xlsx": forms.FileField(
                    label=gettext_lazy("엑셀 파일에서 읽기"),
                    required=False,
                    help_text=gettext_lazy(
                        "올리면 아래 범위의 칸(합친 칸 포함)으로 내용을 바꿉니다"
                    ),
                ),
                "xlsx_range": forms.CharField(
                    label=gettext_lazy("범위"),
                    required=False,
                    help_text=gettext_lazy("예: 시트1!A1:F12 (비우면 첫 시트의 쓰인 칸 모두)"),
                ),
            }
        attrs = declared | {"option_names": tuple(k for k in declared if not k.startswith("xlsx"))}
        return type(f"{name or 'Block'}Form", (cls,), attrs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.option_names and self.instance.pk:
            stored = blocks.options_of(self.instance.kind, self.instance.options)
            for name in self.option_names:
                self.initial.setdefault(name, stored.get(name))

    def clean(self):
        cleaned = super().clean()
        self._clean_options()
        upload = cleaned.get("xlsx")
        if upload:
            data = upload.read()
            try:
                check_size(len(data))
                check_xlsx(data)
                cleaned["text"] = read_range(data, cleaned.get("xlsx_range", ""))
            except ValidationError as error:
                self.add_error("xlsx", error)
        if cleaned.get("kind") in OUTLINED and cleaned.get("text"):
            try:
                validate_outline(cleaned["text"])
            except ValidationError as error:
                self.add_error("text", error)
        if cleaned.get("kind") == "image" and not cleaned.get("image") and not self.instance.image:
            self.add_error("image", _("그림 블록에는 그림 파일이 있어야 합니다."))
        return cleaned

    def _clean_options(self):
        """The kind's own options form checks them (its clean_… rules included)."""
        kind = blocks.KINDS.get(self.instance.kind)
        self.options_cleaned = {}
        if not (self.option_names and kind and kind.options):
            return
        options = kind.options(self.data, self.files)
        if options.is_valid():
            self.options_cleaned = options.cleaned_data
            return
        for name, errors in options.errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)

    def save(self, commit=True):
        block = super().save(commit=False)
        if "text" in self.cleaned_data:
            block.text = self.cleaned_data["text"]
        if self.option_names:
            stored = dict(block.options or {})
            block.options = stored | {name: self.cleaned_data[name] for name in self.option_names}
        if commit:
            block.save()
            self.save_m2m()
        return block
