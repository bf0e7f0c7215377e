from governance.models.approvals import ApprovalRequest, ApprovalStatus
from governance.models.audit import AuditEntry
from governance.models.jobs import Job, JobStatus
from governance.models.notifications import Notification
from governance.models.users import Team, User

__all__ = [
    "ApprovalRequest",
    "ApprovalStatus",
    "AuditEntry",
    "Job",
    "JobStatus",
    "Notification",
    "Team",
    "User",
]
