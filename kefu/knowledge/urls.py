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
    path("lexicon/", views.lexicon, name="lexicon"),
    path("training/", training_views.practice_today, name="practice"),
    path("training/attempts/<int:attempt_id>/", training_views.attempt_detail, name="attempt"),
    path(
        "training/attempts/<int:attempt_id>/answer/", training_views.attempt_answer, name="answer"
    ),
    path("training/exams/<int:exam_id>/start/", training_views.exam_start, name="exam_start"),
    path("training/results/", training_views.results, name="results"),
    path("training/questions/", training_views.question_bank, name="questions"),
]
