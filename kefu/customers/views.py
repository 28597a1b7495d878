from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError
from kefu.core.permissions import require_perms
from kefu.core.roles import IMPORT_CORE, REVEAL_PII, VIEW_CUSTOMER
from kefu.customers import selectors, services
from kefu.customers.forms import CoreImportUploadForm, CustomerSearchForm, RevealForm
from kefu.customers.importer import core_import_queue, imports_dir


@require_GET
@require_perms(VIEW_CUSTOMER)
def customer_search(request):
    form = CustomerSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = list(
            selectors.customer_search(q=form.cleaned_data["q"]).prefetch_related(
                "documents", "cards"
            )
        )
        if len(results) == 1 and not request.htmx and request.GET.get("go") == "1":
            return redirect("customers:detail", customer_id=results[0].pk)
    template = (
        "customers/partials/search_results.html"
        if request.htmx
        else "customers/customer_search.html"
    )
    return render(request, template, {"form": form, "results": results})


@require_GET
@require_perms(VIEW_CUSTOMER)
def customer_detail(request, customer_id: int):
    customer = selectors.customer_get(pk=customer_id)
    services.customer_view_record(customer=customer, by=request.user)
    view = selectors.customer_360(customer=customer)
    return render(
        request,
        "customers/customer_detail.html",
        {"view": view, "c": customer, "can_reveal": request.user.has_perm(REVEAL_PII)},
    )


@require_POST
@require_perms(VIEW_CUSTOMER, REVEAL_PII)
def customer_reveal(request, customer_id: int):
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    customer = selectors.customer_get(pk=customer_id)
    try:
        value = services.customer_reveal(
            customer=customer,
            field=form.cleaned_data["field"],
            item_id=form.cleaned_data["item_id"],
            by=request.user,
        )
    except KefuError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "customers/partials/revealed.html", {"value": value})


@require_http_methods(["GET", "POST"])
@require_perms(IMPORT_CORE)
def core_import_list(request):
    form = CoreImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = core_import_queue(source=upload, file_name=upload.name, by=request.user)
        return redirect("customers:import_detail", import_id=run.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "customers/import_list.html",
        {"form": form, "runs": selectors.core_imports_recent()},
        status=status,
    )


@require_GET
@require_perms(IMPORT_CORE)
def core_import_detail(request, import_id: int):
    run = selectors.core_import_get(pk=import_id)
    template = (
        "customers/partials/import_progress.html"
        if request.htmx
        else "customers/import_detail.html"
    )
    return render(request, template, {"run": run})


@require_GET
@require_perms(IMPORT_CORE)
def core_import_errors(request, import_id: int):
    run = selectors.core_import_get(pk=import_id)
    path = imports_dir() / f"{run.stored_name}.errors.csv"
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{run.file_name}.errors.csv",
        content_type="text/csv",
    )
