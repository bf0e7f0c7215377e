from django.dispatch import Signal

# Sent inside the decision's transaction with sender=the subject's model class and the keyword
# arguments subject, request, actor and approved. The owning app's receiver calls its own service;
# if the receiver fails, the decision is not recorded.
approval_decided = Signal()
