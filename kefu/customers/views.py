from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import KefuError
from kefu.core.permissions import require_perms
from kefu.core.roles import REVEAL_PII, VIEW_CUSTOMER
from kefu.customers import selectors, services
from kefu.customers.forms import CustomerSearchForm, RevealForm


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
