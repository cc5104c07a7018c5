from django.urls import path

from houqin.reports import views

app_name = "reports"

P = "k/<slug:kg>/reports/"
S = P + "summaries/<uuid:code>/"
urlpatterns = [
    path(P, views.term_list, name="term_list"),
    path(P + "terms/new/", views.term_create, name="term_create"),
    path(P + "terms/<uuid:code>/draft/", views.summary_draft, name="summary_draft"),
    path(S, views.summary_detail, name="summary"),
    path(S + "edit/", views.summary_edit, name="summary_edit"),
    path(S + "versions/", views.summary_versions, name="summary_versions"),
    path(S + "versions/diff/", views.summary_diff, name="summary_diff"),
    path(S + "versions/<int:number>/restore/", views.summary_restore, name="summary_restore"),
    path(S + "summary.docx", views.summary_docx, name="summary_docx"),
    path(S + "summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("k/<slug:kg>/family/", views.family, name="family"),
    path("d/<slug:district>/compare/", views.district_compare, name="district_compare"),
    path("d/<slug:district>/compare/<slug:kindergarten>/", views.district_kindergarten,
         name="district_kindergarten"),
    path("d/<slug:district>/compare.xlsx", views.district_compare_xlsx, name="district_compare_xlsx"),
]
