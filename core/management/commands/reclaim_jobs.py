"""`python manage.py reclaim_jobs`: fail (and queue again when safe) every running job whose worker stopped."""

from django.core.management.base import BaseCommand

from core.job_leases import jobs_reclaim_lost


class Command(BaseCommand):
    help = "Fail every running job with no heartbeat for JOB_LEASE_SECONDS; jobs safe to rerun are queued again."

    def handle(self, *args, **options) -> None:
        reclaimed = jobs_reclaim_lost()
        for job_id in reclaimed:
            self.stdout.write(f"job={job_id} status=failed reason=worker-lost")
        self.stdout.write(f"reclaimed={len(reclaimed)}")
