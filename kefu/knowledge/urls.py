from django.urls import path

from kefu.knowledge import training_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_search, name="search"),
    path("suggest/", views.article_suggest, name="suggest"),
    path("articles/<int:article_id>/", views.article_detail, name="article"),
    path("articles/<int:article_id>/feedback/", views.article_feedback, name="feedback"),
    path("manage/", views.article_manage_list, name="manage_list"),
    path("manage/new/", views.article_edit, name="new"),
    path("manage/<int:article_id>/", views.article_manage, name="manage"),
    path("manage/<int:article_id>/edit/", views.article_edit, name="edit"),
    path("manage/<int:article_id>/submit/", views.article_submit, name="submit"),
    path("manage/<int:article_id>/publish/", views.article_publish, name="publish"),
    path("manage/<int:article_id>/reject/", views.article_reject, name="reject"),
    path("manage/<int:article_id>/archive/", views.article_archive, name="archive"),
    path("manage/<int:article_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "manage/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("lexicon/", views.lexicon, name="lexicon"),
    path("manage/categories/", views.categories, name="categories"),
    path("manage/categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path(
        "manage/categories/<int:category_id>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path("training/", training_views.practice_today, name="practice"),
    path("training/attempts/<int:attempt_id>/", training_views.attempt_detail, name="attempt"),
    path(
        "training/attempts/<int:attempt_id>/answer/", training_views.attempt_answer, name="answer"
    ),
    path("training/exams/<int:exam_id>/start/", training_views.exam_start, name="exam_start"),
    path("training/results/", training_views.results, name="results"),
    path("training/questions/", training_views.question_bank, name="questions"),
    path("training/exams/", training_views.exams, name="exams"),
    path("training/exams/<int:exam_id>/open/", training_views.exam_open, name="exam_open"),
    path("training/exams/<int:exam_id>/close/", training_views.exam_close, name="exam_close"),
    path("training/exams/<int:exam_id>/edit/", training_views.exam_edit, name="exam_edit"),
    path("training/exams/<int:exam_id>/delete/", training_views.exam_delete, name="exam_delete"),
]
