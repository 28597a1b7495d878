"""Demo knowledge base for ``kefu demo``: credit-card and brokerage articles written for Kefu,
a demo knowledge editor, and a generated training question bank. Idempotent."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from kefu.core.models import User
from kefu.knowledge import importer, training
from kefu.knowledge.demo.articles import demo_rows

EDITOR_USERNAME = "editor"


@transaction.atomic
def demo_editor_ensure(*, password: str) -> User:
    user = User.objects.filter(username=EDITOR_USERNAME).first() or User(username=EDITOR_USERNAME)
    user.kind = User.Kind.STAFF
    user.display_name = "演示知识库编辑"
    user.is_demo = True
    user.is_active = True
    user.failed_login_count = 0
    user.locked_until = None
    user.set_password(password)
    user.save()
    group = Group.objects.filter(name="editor").first()
    if group is not None:
        user.groups.set([group])
    return user


def demo_knowledge_load(*, password: str) -> importer.ImportResult:
    """Load (or bring back) the demo articles and questions; returns the import result."""
    editor = demo_editor_ensure(password=password)
    result = importer.import_rows(
        ((n, row, "") for n, row in enumerate(demo_rows(), start=1)), by=editor
    )
    training.questions_generate(by=editor)
    return result
