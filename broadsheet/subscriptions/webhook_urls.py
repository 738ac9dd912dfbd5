from django.urls import path

from . import webhooks

app_name = "billing"

# Outside the editions' language prefixes: Stripe posts to one fixed address.
urlpatterns = [path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook")]
