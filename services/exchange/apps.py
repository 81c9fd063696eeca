from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "services.exchange"
    label = "exchange"
    verbose_name = "Exchange (การรับส่งระหว่างหน่วยงาน)"
