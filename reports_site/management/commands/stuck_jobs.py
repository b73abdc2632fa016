"""List the background work that will never finish by itself; --requeue puts it back in
the queue (reports_site.stuck_jobs says what counts as stuck)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from reports_site import stuck_jobs


class Command(BaseCommand):
    @property
    def help(self):  # translated when asked for: argparse takes no lazy string
        return _("멈춘 백그라운드 작업(작업 처리기가 사라졌거나 진행이 멈춘 작업)을 보여 줍니다.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=300,
            help=_("이 초 동안 진행이 없으면 멈춘 것으로 봅니다"),
        )
        parser.add_argument(
            "--requeue",
            action="store_true",
            help=_("멈춘 작업을 다시 대기열에 넣습니다"),
        )

    def handle(self, *args, stale_after, requeue, **options):
        now = timezone.now()
        found = stuck_jobs.find(stale_after, now)
        if not found:
            self.stdout.write(_("멈춘 작업이 없습니다."))
            return
        for stuck in found:
            self.stdout.write(self.describe(stuck, now))
            if requeue:
                done = stuck_jobs.requeue(stuck)
                self.stdout.write(
                    "  "
                    + (
                        _("다시 대기열에 넣었습니다.")
                        if done
                        else _("그사이 바뀌어 그대로 둡니다.")
                    )
                )
        if not requeue:
            self.stdout.write(_("다시 대기열에 넣으려면 --requeue 를 붙여 실행하세요."))

    def describe(self, stuck, now):
        minutes = int((now - stuck.since).total_seconds() // 60) if stuck.since else None
        return _(
            "%(kind)s %(name)s: %(reason)s (마지막 진행 %(minutes)s분 전, 작업 처리기 %(worker)s, "
            "작업 번호 %(task)s)"
        ) % {
            "kind": KINDS[stuck.kind](),
            "name": stuck.name,
            "reason": stuck.reason,
            "minutes": "?" if minutes is None else minutes,
            "worker": stuck.worker or "-",
            "task": stuck.task.pk if stuck.task else "-",
        }


KINDS = {
    "booklet": lambda: _("[책자]"),
    "import": lambda: _("[가져오기]"),
    "task": lambda: _("[작업]"),
}
