from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portplanner.http import HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "home.html")
