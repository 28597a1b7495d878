from django.urls import path

from kefu.callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/start/", views.project_start, name="project_start"),
    path("projects/<int:project_id>/close/", views.project_close, name="project_close"),
    path("projects/<int:project_id>/rule/", views.project_rule, name="project_rule"),
    path("projects/<int:project_id>/import/", views.project_import, name="project_import"),
    path(
        "projects/<int:project_id>/batches/<int:batch_id>/",
        views.batch_detail,
        name="batch",
    ),
    path(
        "projects/<int:project_id>/batches/<int:batch_id>/errors.csv",
        views.batch_errors,
        name="batch_errors",
    ),
    path("projects/<int:project_id>/distribute/", views.project_distribute, name="distribute"),
    path(
        "projects/<int:project_id>/targets/<int:target_id>/assign/",
        views.target_assign,
        name="target_assign",
    ),
    path(
        "projects/<int:project_id>/targets/<int:target_id>/remove/",
        views.target_remove,
        name="target_remove",
    ),
    path("import-sample.csv", views.import_sample, name="import_sample"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path(
        "questionnaires/<int:questionnaire_id>/", views.questionnaire_detail, name="questionnaire"
    ),
    path("versions/<int:version_id>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="version_publish"),
    path("desk/", views.desk, name="desk"),
    path("desk/<int:target_id>/", views.target_call, name="target"),
    path("desk/<int:target_id>/dial/", views.target_dial, name="target_dial"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/close/", views.follow_up_done, name="follow_up_close"),
    path("reports/", views.report_page, name="reports"),
    path("reports/export.<str:fmt>", views.report_export, name="report_export"),
    path("reports/filings/", views.report_file, name="report_file"),
    path("reports/exports/", views.report_detail_queue, name="report_detail_queue"),
    path(
        "reports/exports/<int:export_id>/",
        views.report_export_detail,
        name="report_export_detail",
    ),
    path(
        "reports/exports/<int:export_id>/file/",
        views.report_export_file,
        name="report_export_file",
    ),
    path("agents/", views.agent_list, name="agents"),
    path("portfolios/", views.portfolio_distribute, name="portfolios"),
    path("portfolios/plans/<int:plan_id>/apply/", views.portfolio_apply, name="portfolio_apply"),
    path("portfolios/overdue/", views.portfolio_overdue, name="portfolio_overdue"),
    path("portfolios/mine/", views.portfolio_mine, name="portfolio_mine"),
    path(
        "portfolios/mine/<int:assignment_id>/contact/",
        views.portfolio_contact,
        name="portfolio_contact",
    ),
]
